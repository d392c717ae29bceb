/**
 * The relay's SQLite outbox: accepted agent events wait here until the broker
 * acknowledges them. An insert is committed before the agent is acked, so an
 * acked event survives a runner crash; rows go out in id order (the order
 * agents handed them in), and (job_id, seq) is unique, so an agent that
 * retries after a lost ack does not cause a second forward.
 */
import { HermesError } from '../../src/errors.js';
import type { EventType } from '../../src/protocol/schemas.js';
import { type Db, immediate, prepared } from '../../src/store/sqlite.js';

export interface OutboxEntry {
  jobId: string;
  seq: number;
  event: EventType;
  topic: string;
  wire: string;
  retain: boolean;
}

export interface OutboxRow extends OutboxEntry {
  id: number;
  attempts: number;
}

interface RawRow {
  id: number;
  job_id: string;
  seq: number;
  event: string;
  topic: string;
  wire: string;
  retain: number;
  attempts: number;
}

export type AddResult = 'added' | 'duplicate';

export class Outbox {
  constructor(private readonly db: Db) {}

  /**
   * Commits the entry. 'duplicate' when the same (job, seq) with the same wire is already here
   * (sent or not); a different wire under a used seq is refused: it would be a forgery or a broken
   * agent, and the bot would drop it anyway.
   */
  add(entry: OutboxEntry, now: number): AddResult {
    return immediate(this.db, () => {
      const r = prepared(
        this.db,
        `INSERT INTO outbox (job_id, seq, event, topic, wire, retain, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, seq) DO NOTHING`,
      ).run(entry.jobId, entry.seq, entry.event, entry.topic, entry.wire, entry.retain ? 1 : 0, now);
      if (r.changes === 1) return 'added';
      const old = prepared(this.db, 'SELECT wire FROM outbox WHERE job_id = ? AND seq = ?').get(
        entry.jobId,
        entry.seq,
      ) as { wire: string } | undefined;
      if (old?.wire === entry.wire) return 'duplicate';
      throw new HermesError(
        'duplicate',
        `seq ${entry.seq} of job ${entry.jobId} was already accepted with different content`,
      );
    });
  }

  /** The oldest unsent rows, in the order they were accepted. */
  nextPending(limit: number): OutboxRow[] {
    const rows = prepared(
      this.db,
      "SELECT id, job_id, seq, event, topic, wire, retain, attempts FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?",
    ).all(limit) as RawRow[];
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      seq: r.seq,
      event: r.event as EventType,
      topic: r.topic,
      wire: r.wire,
      retain: r.retain === 1,
      attempts: r.attempts,
    }));
  }

  markSent(id: number, now: number): void {
    prepared(this.db, "UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ?").run(now, id);
  }

  /** Counts a refused publish; returns the attempts so far. */
  noteFailure(id: number, error: string): number {
    prepared(this.db, 'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(
      error.slice(0, 500),
      id,
    );
    return (prepared(this.db, 'SELECT attempts FROM outbox WHERE id = ?').get(id) as { attempts: number })
      .attempts;
  }

  /** Gives up on a row the broker keeps refusing, so it stops holding back every later event. */
  markFailed(id: number): void {
    prepared(this.db, "UPDATE outbox SET state = 'failed' WHERE id = ?").run(id);
  }

  pendingCount(): number {
    return (
      prepared(this.db, "SELECT count(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }
    ).n;
  }

  /**
   * Queues a job's events from..to (inclusive) again, e.g. after the bot saw them missing: sent
   * rows are kept for the retention period for this. Returns how many rows will go out again.
   */
  requeue(jobId: string, from: number, to: number): number {
    return prepared(
      this.db,
      `UPDATE outbox SET state = 'pending', attempts = 0
       WHERE job_id = ? AND seq BETWEEN ? AND ? AND state IN ('sent', 'failed')`,
    ).run(jobId, from, to).changes;
  }

  /** Forgets sent rows older than the cutoff; returns how many. */
  pruneSent(before: number): number {
    return prepared(this.db, "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?").run(before).changes;
  }
}
