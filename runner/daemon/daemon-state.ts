/**
 * What the runner daemon remembers in runner.db besides sessions:
 *
 * - counters per runner key: the last command seq it accepted (so a restart
 *   opens no replay window), and its own status and result seqs (the bot
 *   accepts only increasing ones). Keyed by the key's id, so a new key from
 *   `hermes runner init --force` starts fresh, as the bot's re-pairing does.
 * - one row per job it was asked to start: how the job authenticates (token
 *   or none, to verify its events after a restart) and how the start went,
 *   so a second start for the same job is refused.
 *
 * Tables are created here with IF NOT EXISTS (like the process lease), so the
 * session store's migrations stay the colleague's to extend.
 */
import { type Clock, isoTime } from '../../src/clock.js';
import { type Db, immediate, prepared } from '../../src/store/sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runner_counters (
  key_id        TEXT PRIMARY KEY,
  command_seq   INTEGER NOT NULL DEFAULT 0,
  status_seq    INTEGER NOT NULL DEFAULT 0,
  result_seq    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runner_jobs (
  job_id        TEXT PRIMARY KEY,
  auth          TEXT NOT NULL CHECK (auth IN ('token', 'none')),
  state         TEXT NOT NULL CHECK (state IN ('starting', 'started', 'failed')),
  detail        TEXT,
  command_seq   INTEGER NOT NULL,
  updated_at    TEXT NOT NULL
);
`;

export type JobStartState = 'starting' | 'started' | 'failed';

export interface RunnerJob {
  jobId: string;
  auth: 'token' | 'none';
  state: JobStartState;
  detail: string | null;
}

export class DaemonState {
  constructor(
    private readonly db: Db,
    private readonly keyId: string,
    private readonly clock: Clock,
  ) {
    db.exec(SCHEMA);
    prepared(db, 'INSERT OR IGNORE INTO runner_counters (key_id) VALUES (?)').run(keyId);
  }

  lastCommandSeq(): number {
    return (
      prepared(this.db, 'SELECT command_seq FROM runner_counters WHERE key_id = ?').get(this.keyId) as {
        command_seq: number;
      }
    ).command_seq;
  }

  /** Accept a command seq once, in increasing order; false for a replay or an old command. */
  acceptCommandSeq(seq: number): boolean {
    return (
      prepared(
        this.db,
        'UPDATE runner_counters SET command_seq = ? WHERE key_id = ? AND command_seq < ?',
      ).run(seq, this.keyId, seq).changes > 0
    );
  }

  /** Reserve `n` consecutive status seqs; returns the first. */
  reserveStatusSeqs(n: number): number {
    return this.bump('status_seq', n);
  }

  nextResultSeq(): number {
    return this.bump('result_seq', 1);
  }

  private bump(column: 'status_seq' | 'result_seq', n: number): number {
    return immediate(this.db, () => {
      prepared(this.db, `UPDATE runner_counters SET ${column} = ${column} + ? WHERE key_id = ?`).run(
        n,
        this.keyId,
      );
      const row = prepared(this.db, `SELECT ${column} AS v FROM runner_counters WHERE key_id = ?`).get(
        this.keyId,
      ) as { v: number };
      return row.v - n + 1;
    });
  }

  job(jobId: string): RunnerJob | undefined {
    const r = prepared(this.db, 'SELECT job_id, auth, state, detail FROM runner_jobs WHERE job_id = ?').get(
      jobId,
    ) as { job_id: string; auth: 'token' | 'none'; state: JobStartState; detail: string | null } | undefined;
    return r && { jobId: r.job_id, auth: r.auth, state: r.state, detail: r.detail };
  }

  /** Claim a job for starting; false if it was claimed before (a duplicate start). */
  claimJob(jobId: string, auth: 'token' | 'none', commandSeq: number): boolean {
    return (
      prepared(
        this.db,
        `INSERT OR IGNORE INTO runner_jobs (job_id, auth, state, command_seq, updated_at)
           VALUES (?, ?, 'starting', ?, ?)`,
      ).run(jobId, auth, commandSeq, isoTime(this.clock.now())).changes > 0
    );
  }

  setJobState(jobId: string, state: JobStartState, detail: string | null = null): void {
    prepared(this.db, 'UPDATE runner_jobs SET state = ?, detail = ?, updated_at = ? WHERE job_id = ?').run(
      state,
      detail,
      isoTime(this.clock.now()),
      jobId,
    );
  }
}
