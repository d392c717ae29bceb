/**
 * Before a worktree job's agent starts: `git worktree add -b hermes/<job>
 * <worktrees_dir>/<job> <base commit>` from the repository's main checkout
 * (which it leaves as it is, dirty or not), then the repository's `copy` list
 * (ignored files an agent needs, `.env`) copied from the main checkout. Each
 * job gets its own folder and branch; git refuses a branch or folder that
 * exists, and that refusal (like a base that does not exist, or a full disk)
 * is the job's error, in git's words.
 *
 * The row is written before git runs, so a runner killed in the middle leaves
 * a record that cleanup finds (removing what exists, nothing else).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RepoConfig } from '../../src/config/schema.js';
import { HermesError, isHermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Git } from './git.js';
import type { RepoLock } from './repo-lock.js';
import type { JobWorktree, WorktreeStore } from './worktree-store.js';

export const branchFor = (jobId: string): string => `hermes/${jobId}`;

export interface CreateWorktreeInput {
  jobId: string;
  repoName: string;
  repo: RepoConfig;
  /** runner.worktrees_dir, absolute. */
  worktreesDir: string;
  /** Files the runner will write into the worktree itself (hooks), left out of the change. */
  runnerFiles: readonly string[];
}

export interface CreateWorktreeDeps {
  git: Git;
  lock: RepoLock;
  store: WorktreeStore;
  log: Logger;
}

async function baseCommit(git: Git, name: string, repo: RepoConfig): Promise<string> {
  try {
    await git({ cwd: repo.path, args: ['rev-parse', '--git-dir'] });
  } catch (e) {
    throw new HermesError(
      'git',
      `repository ${name} (${repo.path}) is not a git checkout: ${(e as Error).message}`,
      {
        hint: `fix runner.repos.${name}.path`,
      },
    );
  }
  try {
    return (
      await git({
        cwd: repo.path,
        args: ['rev-parse', '--verify', '--end-of-options', `${repo.base}^{commit}`],
      })
    ).trim();
  } catch (e) {
    throw new HermesError(
      'git',
      `base ${repo.base} does not exist in repository ${name} (${repo.path}): ${isHermesError(e) ? e.message : String(e)}`,
      { hint: `fix runner.repos.${name}.base` },
    );
  }
}

async function branchExists(git: Git, repoPath: string, branch: string): Promise<boolean> {
  try {
    await git({ cwd: repoPath, args: ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`] });
    return true;
  } catch {
    return false;
  }
}

export async function createWorktree(i: CreateWorktreeInput, d: CreateWorktreeDeps): Promise<JobWorktree> {
  const path = join(i.worktreesDir, i.jobId);
  const branch = branchFor(i.jobId);
  return d.lock.run(i.repo.path, async () => {
    const commit = await baseCommit(d.git, i.repoName, i.repo);
    if (await branchExists(d.git, i.repo.path, branch)) {
      throw new HermesError(
        'git',
        `could not create the worktree of job ${i.jobId}: a branch named '${branch}' already exists in ${i.repoName}`,
        {
          hint: 'it is left as it is; delete it yourself if it is not needed',
        },
      );
    }
    mkdirSync(i.worktreesDir, { recursive: true, mode: 0o700 });
    d.store.add({
      jobId: i.jobId,
      repo: i.repoName,
      repoPath: i.repo.path,
      path,
      branch,
      base: i.repo.base,
      baseCommit: commit,
      ownFiles: [...i.runnerFiles],
    });
    try {
      await d.git({ cwd: i.repo.path, args: ['worktree', 'add', '-b', branch, path, commit] });
    } catch (e) {
      // git removes a half-made worktree folder but keeps the branch it made: that branch points at
      // the base (it was checked above not to exist before), so it is deleted only if it still does.
      await d
        .git({ cwd: i.repo.path, args: ['update-ref', '-d', `refs/heads/${branch}`, commit] })
        .catch(() => undefined);
      await d.git({ cwd: i.repo.path, args: ['worktree', 'prune'] }).catch(() => undefined);
      d.store.forget(i.jobId);
      throw new HermesError(
        'git',
        `could not create the worktree of job ${i.jobId}: ${(e as Error).message}`,
      );
    }
    const copied: string[] = [];
    for (const file of i.repo.copy) {
      const from = join(i.repo.path, file);
      const to = join(path, file);
      if (!existsSync(from)) {
        d.log.warn(
          { job: i.jobId, repo: i.repoName, file },
          'file to copy into the worktree is missing; skipped',
        );
        continue;
      }
      // A file the branch tracks is the branch's: not replaced, and not Hermes' to remove later.
      if (existsSync(to)) continue;
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true, dereference: true, force: false });
      copied.push(file);
    }
    d.store.setOwnFiles(i.jobId, [...copied, ...i.runnerFiles]);
    d.log.info(
      { job: i.jobId, repo: i.repoName, path, branch, base: i.repo.base, commit },
      'worktree created',
    );
    return d.store.get(i.jobId)!;
  });
}
