/** Real git repositories in temp folders for the worktree tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeExec } from '../../../../runner/tmux-exec.js';
import { makeGit } from '../../../../runner/worktrees/git.js';

/** No user or system git config leaks in; commits made by the tests have an identity. */
export const GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Agent',
  GIT_AUTHOR_EMAIL: 'agent@example.invalid',
  GIT_COMMITTER_NAME: 'Agent',
  GIT_COMMITTER_EMAIL: 'agent@example.invalid',
};

export const testGit = () => makeGit((env) => nodeExec({ env }), GIT_ENV);

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { env: GIT_ENV, encoding: 'utf8' });
}

export function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

export interface Repos {
  root: string;
  /** The main checkout, one commit on main: README.md, src/app.ts, .gitignore (ignores .env). */
  main: string;
  worktrees: string;
  cleanup(): void;
}

export function makeRepos(): Repos {
  const root = mkdtempSync(join(tmpdir(), 'hermes-wt-'));
  const main = join(root, 'main');
  mkdirSync(main);
  git(main, 'init', '-q', '-b', 'main');
  write(main, 'README.md', 'hello\n');
  write(main, 'src/app.ts', 'export const a = 1;\nexport const b = 2;\n');
  write(main, '.gitignore', '.env\n');
  git(main, 'add', '-A');
  git(main, 'commit', '-q', '-m', 'first');
  write(main, '.env', 'SECRET=1\n');
  return {
    root,
    main,
    worktrees: join(root, 'worktrees'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
