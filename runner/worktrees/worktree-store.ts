/**
 * The runner's record of job worktrees (runner.db, table `job_worktrees`,
 * created here with IF NOT EXISTS like daemon-state.ts's tables): where each
 * job's worktree and branch are, which commit it started from, whether its
 * change was reported and its branch pushed, and when the worktree was
 * removed. The row outlives the worktree: the branch stays, and `diff` on a
 * finished job still knows where to look.
 */
import { type Clock, isoTime } from '../../src/clock.js';
import { type Db, prepared } from '../../src/store/sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job_worktrees (
  job_id        TEXT PRIMARY KEY,
  repo          TEXT NOT NULL,
  repo_path     TEXT NOT NULL,
  path          TEXT NOT NULL,
  branch        TEXT NOT NULL,
  base          TEXT NOT NULL,
  base_commit   TEXT NOT NULL,
  -- JSON array: files Hermes put there (copied files, hooks), left out of the change
  own_files     TEXT NOT NULL DEFAULT '[]',
  created_at    TEXT NOT NULL,
  reported_at   TEXT,
  pushed_at     TEXT,
  push_note     TEXT,
  removed_at    TEXT,
  remove_note   TEXT
);
`;

export interface JobWorktree {
  jobId: string;
  repo: string;
  repoPath: string;
  path: string;
  branch: string;
  base: string;
  baseCommit: string;
  ownFiles: string[];
  createdAt: string;
  reportedAt: string | null;
  pushedAt: string | null;
  pushNote: string | null;
  removedAt: string | null;
  removeNote: string | null;
}

interface Row {
  job_id: string;
  repo: string;
  repo_path: string;
  path: string;
  branch: string;
  base: string;
  base_commit: string;
  own_files: string;
  created_at: string;
  reported_at: string | null;
  pushed_at: string | null;
  push_note: string | null;
  removed_at: string | null;
  remove_note: string | null;
}

const fromRow = (r: Row): JobWorktree => ({
  jobId: r.job_id,
  repo: r.repo,
  repoPath: r.repo_path,
  path: r.path,
  branch: r.branch,
  base: r.base,
  baseCommit: r.base_commit,
  ownFiles: JSON.parse(r.own_files) as string[],
  createdAt: r.created_at,
  reportedAt: r.reported_at,
  pushedAt: r.pushed_at,
  pushNote: r.push_note,
  removedAt: r.removed_at,
  removeNote: r.remove_note,
});

export type NewWorktree = Pick<
  JobWorktree,
  'jobId' | 'repo' | 'repoPath' | 'path' | 'branch' | 'base' | 'baseCommit' | 'ownFiles'
>;

export class WorktreeStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    db.exec(SCHEMA);
  }

  private now(): string {
    return isoTime(this.clock.now());
  }

  add(w: NewWorktree): void {
    prepared(
      this.db,
      `INSERT INTO job_worktrees (job_id, repo, repo_path, path, branch, base, base_commit, own_files, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      w.jobId,
      w.repo,
      w.repoPath,
      w.path,
      w.branch,
      w.base,
      w.baseCommit,
      JSON.stringify(w.ownFiles),
      this.now(),
    );
  }

  get(jobId: string): JobWorktree | undefined {
    const r = prepared(this.db, 'SELECT * FROM job_worktrees WHERE job_id = ?').get(jobId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** Worktrees still on disk. */
  present(): JobWorktree[] {
    return (
      prepared(
        this.db,
        'SELECT * FROM job_worktrees WHERE removed_at IS NULL ORDER BY created_at',
      ).all() as Row[]
    ).map(fromRow);
  }

  /** true the first time only: the end-of-job report is sent once, also when the terminal event comes again. */
  claimReport(jobId: string): boolean {
    return (
      prepared(
        this.db,
        'UPDATE job_worktrees SET reported_at = ? WHERE job_id = ? AND reported_at IS NULL',
      ).run(this.now(), jobId).changes === 1
    );
  }

  markPushed(jobId: string, note: string): void {
    prepared(this.db, 'UPDATE job_worktrees SET pushed_at = ?, push_note = ? WHERE job_id = ?').run(
      this.now(),
      note,
      jobId,
    );
  }

  notePush(jobId: string, note: string): void {
    prepared(this.db, 'UPDATE job_worktrees SET push_note = ? WHERE job_id = ?').run(note, jobId);
  }

  markRemoved(jobId: string, note: string | null): void {
    prepared(this.db, 'UPDATE job_worktrees SET removed_at = ?, remove_note = ? WHERE job_id = ?').run(
      this.now(),
      note,
      jobId,
    );
  }

  noteRemoveFailure(jobId: string, note: string): void {
    prepared(this.db, 'UPDATE job_worktrees SET remove_note = ? WHERE job_id = ?').run(note, jobId);
  }

  setOwnFiles(jobId: string, files: readonly string[]): void {
    prepared(this.db, 'UPDATE job_worktrees SET own_files = ? WHERE job_id = ?').run(
      JSON.stringify(files),
      jobId,
    );
  }

  /** A start that failed before its worktree existed on disk leaves no row behind. */
  forget(jobId: string): void {
    prepared(this.db, 'DELETE FROM job_worktrees WHERE job_id = ?').run(jobId);
  }
}
