/**
 * The runner's worktree service from its config: repository paths resolved
 * (`~` is the runner user's home), cross references checked, git run with
 * the runner's PATH and HOME only. undefined when no repository is
 * configured: then a job that asks for a worktree is refused at its start.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Clock } from '../../src/clock.js';
import type { Config, Env } from '../../src/config/load.js';
import type { RepoConfig } from '../../src/config/schema.js';
import { HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Db } from '../../src/store/sqlite.js';
import { nodeExec, tmuxClientEnv } from '../tmux-exec.js';
import { type Git, makeGit } from './git.js';
import { checkRepoReferences, JobWorktrees } from './job-worktrees.js';
import { WorktreeStore } from './worktree-store.js';

function expand(raw: string, env: Env, key: string): string {
  if (raw === '~' || raw.startsWith('~/')) {
    if (!env.HOME) throw new HermesError('config', `${key}: cannot expand ~ (HOME is not set)`);
    return join(env.HOME, raw.slice(1));
  }
  if (!isAbsolute(raw))
    throw new HermesError('config', `${key}: must be an absolute path (or start with ~/)`);
  return resolve(raw);
}

export interface WorktreeSetup {
  config: Config;
  env: Env;
  db: Db;
  clock: Clock;
  log: Logger;
  profiles: readonly { name: string; repo?: string | undefined }[];
  /** Tests inject git. */
  git?: Git;
}

export function worktreeService(s: WorktreeSetup): JobWorktrees | undefined {
  const configured = s.config.runner.repos;
  checkRepoReferences(configured, s.profiles);
  if (Object.keys(configured).length === 0) return undefined;
  const repos: Record<string, RepoConfig> = {};
  for (const [name, r] of Object.entries(configured))
    repos[name] = { ...r, path: expand(r.path, s.env, `runner.repos.${name}.path`) };
  const worktreesDir = s.config.runner.worktrees_dir
    ? expand(s.config.runner.worktrees_dir, s.env, 'runner.worktrees_dir')
    : join(s.config.home, 'worktrees');
  const git = s.git ?? makeGit((env) => nodeExec({ env, timeoutMs: 300_000 }), tmuxClientEnv(s.env));
  return new JobWorktrees({
    repos,
    worktreesDir,
    git,
    store: new WorktreeStore(s.db, s.clock),
    log: s.log.child({ name: 'worktrees' }),
  });
}
