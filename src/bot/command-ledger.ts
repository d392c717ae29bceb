/**
 * What the bot sent runners for each job and whether they answered (columns of `jobs`, bot
 * migration 4). The dispatcher's follow-ups read it to send a start again when the runner never
 * answered it (the bot crashed before the broker took it, or it was lost), and to send the cancel
 * of a job cancelled where no cancel is sent (`hermes jobs cancel` in another process) or whose
 * cancel did not go out. Kept in SQLite so a restart forgets nothing it owes.
 */
import { type Clock, isoTime } from '../clock.js';
import { type Db, immediate, prepared } from '../store/sqlite.js';

/** `duplicate`: the runner refused a start because it already has the job, an acknowledgement. */
export type StartAnswer = 'accepted' | 'rejected' | 'duplicate';
/** `unanswered`: the bot stopped asking (see FollowUps). */
export type CancelAnswer = 'done' | 'rejected' | 'unanswered';

export interface OwedCommand {
  jobId: string;
  runner: string;
  /** Sends so far (an unanswered start counts at least the dispatch itself). */
  attempts: number;
  /** When the last send was made (ms); null: never, or the last one failed to go out. */
  sentAt: number | null;
}

interface Row {
  id: string;
  runner: string;
  attempts: number;
  sent_at: string | null;
}

const owed = (r: Row): OwedCommand => ({
  jobId: r.id,
  runner: r.runner,
  attempts: r.attempts,
  sentAt: r.sent_at === null ? null : Date.parse(r.sent_at),
});

export class CommandLedger {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return isoTime(this.clock.now());
  }

  /** Before a start is published: one more attempt, made now. */
  startSending(jobId: string): void {
    prepared(
      this.db,
      'UPDATE jobs SET start_sent_at = ?, start_attempts = start_attempts + 1 WHERE id = ?',
    ).run(this.now(), jobId);
  }

  /** The publish failed: that attempt does not count (the job goes back to pending or waits). */
  startNotSent(jobId: string): void {
    prepared(
      this.db,
      'UPDATE jobs SET start_sent_at = NULL, start_attempts = MAX(start_attempts - 1, 0) WHERE id = ?',
    ).run(jobId);
  }

  /** Records the first answer to the job's start; returns the answer recorded before, if any. */
  startAnswered(jobId: string, answer: StartAnswer): StartAnswer | null {
    return immediate(this.db, () => {
      const before = (
        prepared(this.db, 'SELECT start_answer FROM jobs WHERE id = ?').get(jobId) as
          | { start_answer: StartAnswer | null }
          | undefined
      )?.start_answer;
      if (!before) prepared(this.db, 'UPDATE jobs SET start_answer = ? WHERE id = ?').run(answer, jobId);
      return before ?? null;
    });
  }

  /** Dispatched jobs whose start no runner answered yet. */
  unansweredStarts(): OwedCommand[] {
    return (
      prepared(
        this.db,
        `SELECT id, runner, MAX(start_attempts, 1) AS attempts,
                CASE WHEN start_attempts = 0 THEN dispatched_at ELSE start_sent_at END AS sent_at
           FROM jobs WHERE status = 'dispatched' AND start_answer IS NULL ORDER BY dispatched_at, id`,
      ).all() as Row[]
    ).map(owed);
  }

  cancelSending(jobId: string): void {
    prepared(
      this.db,
      'UPDATE jobs SET cancel_sent_at = ?, cancel_attempts = cancel_attempts + 1 WHERE id = ?',
    ).run(this.now(), jobId);
  }

  /** The publish failed: the attempt stays counted, and the next pass may send again at once. */
  cancelNotSent(jobId: string): void {
    prepared(this.db, 'UPDATE jobs SET cancel_sent_at = NULL WHERE id = ?').run(jobId);
  }

  cancelAnswered(jobId: string, answer: CancelAnswer): void {
    prepared(this.db, 'UPDATE jobs SET cancel_answer = COALESCE(cancel_answer, ?) WHERE id = ?').run(
      answer,
      jobId,
    );
  }

  /** Cancelled jobs that had been dispatched to a runner and whose cancel it has not answered. */
  owedCancels(limit: number): OwedCommand[] {
    return (
      prepared(
        this.db,
        `SELECT id, runner, cancel_attempts AS attempts, cancel_sent_at AS sent_at FROM jobs
          WHERE status = 'cancelled' AND dispatched_at IS NOT NULL AND cancel_answer IS NULL
          ORDER BY ended_at, id LIMIT ?`,
      ).all(limit) as Row[]
    ).map(owed);
  }
}

/** Whether a command sent `attempts` times, last at `sentAt`, is due again: the wait doubles each time. */
export function isDue(c: OwedCommand, now: number, baseMs: number): boolean {
  if (c.sentAt === null) return true;
  return now - c.sentAt >= baseMs * 2 ** Math.min(Math.max(c.attempts - 1, 0), 10);
}
