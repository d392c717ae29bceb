#!/usr/bin/env node
/**
 * An agent stand-in for worktree jobs: in its working directory (the job's worktree) it commits
 * one new file and leaves another change uncommitted, then exits 0, as a coding agent that
 * committed part of its work would. Run by the runner through `hermes run`, so the job completes
 * with its exit status.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';

const git = (...args) => execFileSync('git', args, { stdio: ['ignore', 'ignore', 'inherit'] });

mkdirSync('src', { recursive: true });
writeFileSync(
  'src/feature.ts',
  'export const feature = 1;\nexport const more = 2;\nexport const most = 3;\n',
);
git('add', 'src/feature.ts');
git('commit', '-q', '-m', 'add feature');
// Not committed: a changed tracked file (one line replaced, one added).
appendFileSync('README.md', 'a line the agent added\n');
console.log('done: feature committed, README changed');
