/**
 * What the bot sent runners for each job and whether they answered (columns of `jobs`, bot
 * migration 4). The dispatcher's follow-ups read it to send a start again when the runner never
 * answered it (the bot crashed before the broker took it, or it was lost), and to send the cancel
 * of a job cancelled where no cancel is sent (`hermes jobs cancel` in another process) or whose
 * cancel did not go out. Kept in SQLite so a restart forgets nothing it owes.
 *
 * A job owes its runner a cancel from `cancel_owed_at` until `cancel_answer` is set: when it is
 * cancelled after its dispatch (JobRegistry.applyTransition), when the bot ends it in error after
 * the runner never answered its start, or when a runner accepts the start of a job already over.
 */
import { type Clock, isoTime } from '../clock.js';
import { type Db, immediate, prepared } from '../store/sqlite.js';

/**
 * `duplicate`: the runner refused a start because it already has the job, an acknowledgement.
 * `unanswered`: the bot stopped asking and ended the job (see FollowUps).
 */
export type StartAnswer = 'accepted' | 'rejected' | 'duplicate' | 'unanswered';
/** `unanswered`: the bot stopped asking (see FollowUps); `legacy`: ended before bot migration 4. */
export type CancelAnswer = 'done' | 'rejected' | 'unanswered' | 'legacy';

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

  /**
   * The job owes its runner a cancel from now, sent afresh (the bot ended a job the runner may run).
   * With `unlessOwed`, nothing changes while a cancel is already owed and unanswered. Returns
   * whether it changed.
   */
  oweCancel(jobId: string, opts: { unlessOwed?: boolean } = {}): boolean {
    return (
      prepared(
        this.db,
        `UPDATE jobs SET cancel_owed_at = ?, cancel_answer = NULL, cancel_attempts = 0, cancel_sent_at = NULL,
                cancel_due_at = NULL
          WHERE id = ? AND dispatched_at IS NOT NULL
            AND NOT (? AND cancel_owed_at IS NOT NULL AND cancel_answer IS NULL)`,
      ).run(this.now(), jobId, opts.unlessOwed ? 1 : 0).changes > 0
    );
  }

  /** Before a cancel is published: one more attempt, made now; the next is due after `resendMs`, doubled per attempt. */
  cancelSending(jobId: string, resendMs: number): void {
    immediate(this.db, () => {
      const before =
        (
          prepared(this.db, 'SELECT cancel_attempts AS n FROM jobs WHERE id = ?').get(jobId) as
            | { n: number }
            | undefined
        )?.n ?? 0;
      const now = this.clock.now();
      prepared(
        this.db,
        `UPDATE jobs SET cancel_sent_at = ?, cancel_attempts = cancel_attempts + 1, cancel_due_at = ?,
                cancel_owed_at = COALESCE(cancel_owed_at, ?)
          WHERE id = ?`,
      ).run(isoTime(now), isoTime(now + backoff(before + 1, resendMs)), isoTime(now), jobId);
    });
  }

  /** The publish failed: that attempt does not count, and the next pass may send again at once. */
  cancelNotSent(jobId: string): void {
    prepared(
      this.db,
      `UPDATE jobs SET cancel_sent_at = NULL, cancel_due_at = NULL, cancel_attempts = MAX(cancel_attempts - 1, 0)
        WHERE id = ?`,
    ).run(jobId);
  }

  cancelAnswered(jobId: string, answer: CancelAnswer): void {
    prepared(this.db, 'UPDATE jobs SET cancel_answer = COALESCE(cancel_answer, ?) WHERE id = ?').run(
      answer,
      jobId,
    );
  }

  /**
   * Owed cancels something can be done about now, never-sent and least recently sent first, at
   * most `limit`: a first send (needs no online runner: its persistent session queues it); a send
   * again that is due, to a runner that is `online`; and giving up, on a runner no longer paired,
   * a cancel owed since `giveUpMs` or due again after `maxAttempts` sends. So cancels that wait
   * for an offline runner take no place from those that can go out.
   */
  owedCancels(q: {
    online: readonly string[];
    maxAttempts: number;
    giveUpMs: number;
    limit: number;
  }): OwedCancel[] {
    const now = this.clock.now();
    return (
      prepared(
        this.db,
        `SELECT id, runner, cancel_attempts AS attempts, cancel_sent_at AS sent_at, cancel_owed_at AS owed_at,
                runner IN (SELECT id FROM runners) AS paired
           FROM jobs
          WHERE cancel_owed_at IS NOT NULL AND cancel_answer IS NULL
            AND (cancel_attempts = 0
                 OR runner NOT IN (SELECT id FROM runners)
                 OR cancel_owed_at <= @stale
                 OR ((cancel_due_at IS NULL OR cancel_due_at <= @now)
                     AND (cancel_attempts >= @max OR runner IN (SELECT value FROM json_each(@online)))))
          ORDER BY cancel_sent_at IS NOT NULL, cancel_sent_at, cancel_owed_at, id
          LIMIT @limit`,
      ).all({
        now: isoTime(now),
        stale: isoTime(now - q.giveUpMs),
        max: q.maxAttempts,
        online: JSON.stringify(q.online),
        limit: q.limit,
      }) as Array<Row & { owed_at: string; paired: number }>
    ).map((r) => ({ ...owed(r), owedAt: Date.parse(r.owed_at), paired: r.paired === 1 }));
  }
}

export interface OwedCancel extends OwedCommand {
  /** Since when the cancel is owed (ms). */
  owedAt: number;
  /** Whether the runner is still paired with this bot. */
  paired: boolean;
}

/** The wait after the `attempts`-th send before the next: `baseMs`, doubling per send, at most 1024 times. */
function backoff(attempts: number, baseMs: number): number {
  return baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 10);
}

/** Whether a command sent `attempts` times, last at `sentAt`, is due again: the wait doubles each time. */
export function isDue(c: OwedCommand, now: number, baseMs: number): boolean {
  if (c.sentAt === null) return true;
  return now - c.sentAt >= backoff(c.attempts, baseMs);
}
