/**
 * One seq counter per job for every publisher under this runner (issue 16:
 * a fleet agent and `hermes publish` sharing a job must not reuse seqs).
 *
 * Hermes' own publishers (`hermes publish`, `hermes ask`, the hooks, the
 * runner's events) already share the job's claim files
 * (runner/agent/seq-allocator.ts). A publisher that is not Hermes (the old
 * Python fleet's agent, publishing straight to the broker) counts by
 * itself; the runner sees its events because it follows the topic of every
 * job it holds (job-watch.ts), and notes the highest seq that verified with
 * the job's token here. The next seq is then above both: a seq the bot has
 * accepted is one the runner has received too, from the same broker.
 *
 * Kept in runner.db, so a runner restart (whose subscriptions bring back
 * only the retained terminal event) still remembers what the fleet used.
 */
import { type Db, prepared } from '../../src/store/sqlite.js';
import { allocateSeq, seqDir } from '../agent/seq-allocator.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runner_job_seqs (
  job_id  TEXT PRIMARY KEY,
  seen    INTEGER NOT NULL
);
`;

export class JobSeqs {
  constructor(
    private readonly db: Db,
    private readonly home: string,
  ) {
    db.exec(SCHEMA);
  }

  /** An event of the job, from any publisher, received from the broker and verified. */
  seen(jobId: string, seq: number): void {
    prepared(
      this.db,
      `INSERT INTO runner_job_seqs (job_id, seen) VALUES (?, ?)
         ON CONFLICT (job_id) DO UPDATE SET seen = max(seen, excluded.seen)`,
    ).run(jobId, seq);
  }

  /** The highest seq received for the job (0: none). */
  highestSeen(jobId: string): number {
    const r = prepared(this.db, 'SELECT seen FROM runner_job_seqs WHERE job_id = ?').get(jobId) as
      | { seen: number }
      | undefined;
    return r?.seen ?? 0;
  }

  /**
   * Claims the job's next seq: at least `floor`, above every seq received for the job, and never
   * one another Hermes process of the job claimed.
   */
  next(jobId: string, floor = 1): number {
    return allocateSeq(seqDir(this.home, jobId), Math.max(floor, this.highestSeen(jobId) + 1));
  }

  /** A job whose session is gone for good: its row is not needed any more. */
  forget(jobId: string): void {
    prepared(this.db, 'DELETE FROM runner_job_seqs WHERE job_id = ?').run(jobId);
  }
}
