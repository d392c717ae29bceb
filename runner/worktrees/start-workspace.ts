/**
 * The start's worktree step (start-job.ts calls it where the working
 * directory is chosen): a job that runs in a worktree gets a new one and runs
 * there; undefined for a job that does not. A job may not both name a
 * repository and choose its own folder.
 */
import { HermesError } from '../../src/errors.js';
import type { JobWorktrees, WorktreeProfile } from './job-worktrees.js';

export interface WorkspaceDeps {
  worktrees?: Pick<JobWorktrees, 'prepare'> | undefined;
}

export async function workspaceFor(
  jobId: string,
  profile: WorktreeProfile,
  data: { repo?: string | undefined; cwd?: string | undefined },
  d: WorkspaceDeps,
): Promise<string | undefined> {
  if (!d.worktrees) {
    if (data.repo !== undefined || profile.worktree)
      throw new HermesError('config', 'this runner has no repositories for worktree jobs (runner.repos)');
    return undefined;
  }
  if ((data.repo !== undefined || profile.worktree) && data.cwd !== undefined)
    throw new HermesError(
      'usage',
      'a job on a repository runs in its own worktree: give --repo or --cwd, not both',
    );
  return (await d.worktrees.prepare(jobId, profile, data.repo))?.path;
}
