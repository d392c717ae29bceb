/**
 * The end of a job's worktree: what was left uncommitted is committed on the
 * job's branch (so removing the folder loses nothing), the branch is pushed
 * when the repository says `worktree.on_success: push` and the job completed
 * (never forced: a branch the remote has diverged from is refused, in git's
 * words), and after the linger period the folder goes with `git worktree
 * remove` (never `--force`: a worktree git will not remove is kept and the
 * reason logged). The branch always stays: cleanup deletes no branch.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { compareLink } from './compare-link.js';
import type { Git } from './git.js';
import type { JobWorktree, WorktreeStore } from './worktree-store.js';

export interface FinishDeps {
  git: Git;
  store: WorktreeStore;
  log: Logger;
}

const IDENTITY = ['-c', 'user.name=Hermes', '-c', 'user.email=hermes@localhost.invalid'];

/** Commits everything not committed yet (new files too, but not the files Hermes put there). true if it did. */
export async function commitLeftovers(git: Git, w: JobWorktree, copied: readonly string[]): Promise<boolean> {
  // The copies are the main checkout's files: removing them from the worktree loses nothing.
  for (const f of copied) rmSync(join(w.path, f), { recursive: true, force: true });
  await git({ cwd: w.path, args: ['add', '-A', '--', '.'] });
  // Hermes' own files stay out (back to the branch's version, or unstaged when new).
  if (w.ownFiles.length > 0) await git({ cwd: w.path, args: ['reset', '-q', '--', ...w.ownFiles] });
  const staged = (await git({ cwd: w.path, args: ['diff', '--cached', '--name-only', '-z'] }))
    .split('\0')
    .filter(Boolean);
  if (staged.length === 0) return false;
  await git({
    cwd: w.path,
    args: [
      ...IDENTITY,
      'commit',
      '--no-verify',
      '--quiet',
      '-m',
      `hermes: changes job ${w.jobId} left uncommitted`,
    ],
  });
  return true;
}

export interface PushOutcome {
  ok: boolean;
  /** One line for the thread: where it went (and the compare link), or why not. */
  note: string;
  link?: string;
}

export async function pushBranch(d: FinishDeps, w: JobWorktree, remote: string): Promise<PushOutcome> {
  try {
    if (existsSync(w.path) && w.removedAt === null) await commitLeftovers(d.git, w, []);
    const ref = `refs/heads/${w.branch}`;
    // No `--force` and no `+` in the refspec: the remote takes it only as a fast-forward.
    await d.git({ cwd: w.repoPath, args: ['push', '--quiet', remote, `${ref}:${ref}`] });
    let link: string | undefined;
    try {
      link = compareLink(
        (await d.git({ cwd: w.repoPath, args: ['remote', 'get-url', remote] })).trim(),
        w.base,
        w.branch,
      );
    } catch {
      link = undefined;
    }
    const note = `pushed ${w.branch} to ${remote}${link ? `: ${link}` : ''}`;
    d.store.markPushed(w.jobId, note);
    d.log.info({ job: w.jobId, branch: w.branch, remote }, 'job branch pushed');
    return { ok: true, note, ...(link ? { link } : {}) };
  } catch (e) {
    const note = `branch ${w.branch} not pushed to ${remote}: ${describeError(e)}`;
    d.store.notePush(w.jobId, note);
    d.log.warn({ job: w.jobId, branch: w.branch, remote, err: describeError(e) }, 'job branch not pushed');
    return { ok: false, note };
  }
}

/**
 * Removes the job's worktree folder (the branch stays). Resolves whether or not it could: a
 * failure is logged and recorded, and the worktree is left for a person to look at.
 */
export async function removeWorktree(
  d: FinishDeps,
  w: JobWorktree,
  copied: readonly string[],
): Promise<void> {
  if (w.removedAt !== null) return;
  try {
    if (existsSync(w.path)) {
      const committed = await commitLeftovers(d.git, w, copied);
      if (committed)
        d.log.info({ job: w.jobId, branch: w.branch }, 'uncommitted changes committed on the job branch');
      await d.git({ cwd: w.repoPath, args: ['worktree', 'remove', w.path] });
    } else {
      await d.git({ cwd: w.repoPath, args: ['worktree', 'prune'] });
    }
    d.store.markRemoved(w.jobId, null);
    d.log.info({ job: w.jobId, path: w.path, branch: w.branch }, 'worktree removed; branch kept');
  } catch (e) {
    d.log.warn(
      { job: w.jobId, path: w.path, err: describeError(e) },
      'worktree not removed; left for a person to look at',
    );
    d.store.noteRemoveFailure(w.jobId, `not removed: ${describeError(e)}`);
  }
}

/**
 * A start that failed leaves a branch nobody worked on: deleted only while it still points at
 * the base commit (git compares and deletes in one step), so a commit is never lost.
 */
export async function dropUnusedBranch(d: FinishDeps, w: JobWorktree): Promise<void> {
  const present = d.store.get(w.jobId);
  if (present && present.removedAt === null) return; // the folder is still there: keep its branch too
  try {
    await d.git({ cwd: w.repoPath, args: ['update-ref', '-d', `refs/heads/${w.branch}`, w.baseCommit] });
  } catch (e) {
    d.log.info({ job: w.jobId, branch: w.branch, err: describeError(e) }, 'branch of a failed start kept');
  }
}
