/**
 * The chat state of one platform in the bot database (migration 3): where each job's thread and
 * messages are, and which events were delivered. Everything the core must remember across a
 * restart goes through here.
 */
import { type Clock, isoTime } from '../clock.js';
import type { Db } from '../store/sqlite.js';
import type { MessageRef, ThreadRef } from './port.js';

export interface JobThread {
  jobId: string;
  /** Where the card is and announcements go. */
  channel: string;
  card: MessageRef;
  thread: ThreadRef;
  status: MessageRef | undefined;
}

export interface RequestMessage {
  jobId: string;
  requestId: string;
  message: MessageRef;
  postedAt: string;
  remindedAt: string | null;
  finalAt: string | null;
}

export type DeliveryPart = 'thread' | 'announce' | 'card';

/**
 * The reserved seq of a cancel's deliveries (its thread line, its announcement): a cancel is no
 * event on the wire, and event seqs are never negative (migration 11).
 */
export const CANCEL_SEQ = -1;

interface ThreadRow {
  job_id: string;
  channel: string;
  card_channel: string;
  card_id: string;
  thread_channel: string;
  thread_id: string;
  status_channel: string | null;
  status_id: string | null;
}

interface RequestRow {
  job_id: string;
  request_id: string;
  channel: string;
  message_id: string;
  posted_at: string;
  reminded_at: string | null;
  final_at: string | null;
}

const toRequest = (r: RequestRow): RequestMessage => ({
  jobId: r.job_id,
  requestId: r.request_id,
  message: { channel: r.channel, id: r.message_id },
  postedAt: r.posted_at,
  remindedAt: r.reminded_at,
  finalAt: r.final_at,
});

/** An event still owed to chat (its thread message, or for a terminal event its announcement). */
export interface OwedEvent {
  jobId: string;
  seq: number;
  event: string;
  receivedAt: string;
}

/** Events of jobs this platform serves that are not (fully) in chat yet; `@platform` bound. */
const OWED = `
  NOT EXISTS (SELECT 1 FROM chat_deliveries d WHERE d.job_id = e.job_id AND d.platform = @platform
                AND d.seq = e.seq AND d.part = 'thread')
  OR (e.event IN ('completed', 'error')
      AND NOT EXISTS (SELECT 1 FROM chat_deliveries d WHERE d.job_id = e.job_id AND d.platform = @platform
                        AND d.seq = e.seq AND d.part = 'announce'))`;

export class ChatState {
  constructor(
    readonly db: Db,
    readonly platform: string,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return isoTime(this.clock.now());
  }

  thread(jobId: string): JobThread | undefined {
    const r = this.db
      .prepare('SELECT * FROM chat_threads WHERE job_id = ? AND platform = ?')
      .get(jobId, this.platform) as ThreadRow | undefined;
    if (!r) return undefined;
    return {
      jobId: r.job_id,
      channel: r.channel,
      card: { channel: r.card_channel, id: r.card_id },
      thread: { channel: r.thread_channel, id: r.thread_id },
      status: r.status_channel && r.status_id ? { channel: r.status_channel, id: r.status_id } : undefined,
    };
  }

  saveThread(jobId: string, channel: string, card: MessageRef, thread: ThreadRef): void {
    this.db
      .prepare(
        `INSERT INTO chat_threads (job_id, platform, channel, card_channel, card_id, thread_channel, thread_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(jobId, this.platform, channel, card.channel, card.id, thread.channel, thread.id, this.now());
  }

  saveStatusMessage(jobId: string, ref: MessageRef): void {
    this.db
      .prepare('UPDATE chat_threads SET status_channel = ?, status_id = ? WHERE job_id = ? AND platform = ?')
      .run(ref.channel, ref.id, jobId, this.platform);
  }

  /** The job whose thread on this platform is `thread`, if any. */
  jobByThread(thread: ThreadRef): string | undefined {
    const r = this.db
      .prepare('SELECT job_id FROM chat_threads WHERE platform = ? AND thread_channel = ? AND thread_id = ?')
      .get(this.platform, thread.channel, thread.id) as { job_id: string } | undefined;
    return r?.job_id;
  }

  /** A new turn starts: its progress goes into a new status message, below the last turn's end. */
  clearStatusMessage(jobId: string): void {
    this.db
      .prepare(
        'UPDATE chat_threads SET status_channel = NULL, status_id = NULL WHERE job_id = ? AND platform = ?',
      )
      .run(jobId, this.platform);
  }

  requestMessage(jobId: string, requestId: string): RequestMessage | undefined {
    const r = this.db
      .prepare('SELECT * FROM chat_requests WHERE job_id = ? AND platform = ? AND request_id = ?')
      .get(jobId, this.platform, requestId) as RequestRow | undefined;
    return r ? toRequest(r) : undefined;
  }

  requestMessagesOf(jobId: string): RequestMessage[] {
    return (
      this.db
        .prepare('SELECT * FROM chat_requests WHERE job_id = ? AND platform = ? ORDER BY posted_at')
        .all(jobId, this.platform) as RequestRow[]
    ).map(toRequest);
  }

  saveRequestMessage(jobId: string, requestId: string, ref: MessageRef): void {
    this.db
      .prepare(
        `INSERT INTO chat_requests (job_id, platform, request_id, channel, message_id, posted_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(jobId, this.platform, requestId, ref.channel, ref.id, this.now());
  }

  markRequestFinal(jobId: string, requestId: string): void {
    this.db
      .prepare('UPDATE chat_requests SET final_at = ? WHERE job_id = ? AND platform = ? AND request_id = ?')
      .run(this.now(), jobId, this.platform, requestId);
  }

  markReminded(jobId: string, requestId: string): void {
    this.db
      .prepare(
        'UPDATE chat_requests SET reminded_at = ? WHERE job_id = ? AND platform = ? AND request_id = ?',
      )
      .run(this.now(), jobId, this.platform, requestId);
  }

  /** Request messages still showing buttons whose request has been pending since before `before`. */
  dueReminders(before: string): RequestMessage[] {
    return (
      this.db
        .prepare(
          `SELECT c.* FROM chat_requests c
           JOIN permission_requests p ON p.job_id = c.job_id AND p.request_id = c.request_id
           WHERE c.platform = ? AND c.final_at IS NULL AND c.reminded_at IS NULL
             AND p.status = 'pending' AND p.requested_at <= ?
           ORDER BY p.requested_at`,
        )
        .all(this.platform, before) as RequestRow[]
    ).map(toRequest);
  }

  isDelivered(jobId: string, seq: number, part: DeliveryPart): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM chat_deliveries WHERE job_id = ? AND platform = ? AND seq = ? AND part = ?')
        .get(jobId, this.platform, seq, part) !== undefined
    );
  }

  markDelivered(jobId: string, seqs: readonly number[], part: DeliveryPart): void {
    const stmt = this.db.prepare(
      `INSERT INTO chat_deliveries (job_id, platform, seq, part, delivered_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    const at = this.now();
    this.db.transaction(() => {
      for (const seq of seqs) stmt.run(jobId, this.platform, seq, part, at);
    })();
  }

  /**
   * Jobs with events not yet (fully) in chat, received before `before`, oldest owed event first,
   * leaving out `skip` (jobs waiting out a backoff, so a pile of failing jobs cannot take every
   * slot). Only jobs this platform serves: with a thread here, registered here, and (with a
   * default channel) live jobs registered outside chat.
   */
  owedJobs(
    before: string,
    withDefaultChannel: boolean,
    skip: readonly string[] = [],
    limit = 1000,
  ): string[] {
    const rows = this.db
      .prepare(
        `SELECT e.job_id AS jobId, MIN(e.received_at) AS oldest FROM events e
           JOIN jobs j ON j.id = e.job_id
           LEFT JOIN chat_threads t ON t.job_id = e.job_id AND t.platform = @platform
           WHERE e.received_at <= @before
             AND e.job_id NOT IN (SELECT value FROM json_each(@skip))
             AND (t.job_id IS NOT NULL OR j.chat_platform = @platform
                  OR (@fallback = 1 AND j.chat_platform IS NULL AND j.status NOT IN ('completed', 'error', 'cancelled')))
             AND (${OWED})
           GROUP BY e.job_id
           ORDER BY oldest, e.job_id
           LIMIT @limit`,
      )
      .all({
        platform: this.platform,
        before,
        skip: JSON.stringify(skip),
        fallback: withDefaultChannel ? 1 : 0,
        limit,
      }) as Array<{ jobId: string }>;
    return rows.map((r) => r.jobId);
  }

  /** Cancelled jobs with a thread here whose cancel is not (fully) in chat: cancelled with no bot running. */
  unshownCancels(): string[] {
    const rows = this.db
      .prepare(
        `SELECT j.id AS jobId FROM jobs j
           JOIN chat_threads t ON t.job_id = j.id AND t.platform = @platform
           WHERE j.status = 'cancelled'
             AND (SELECT COUNT(*) FROM chat_deliveries d WHERE d.job_id = j.id AND d.platform = @platform
                    AND d.seq = @seq AND d.part IN ('thread', 'announce')) < 2
           ORDER BY j.ended_at, j.id`,
      )
      .all({ platform: this.platform, seq: CANCEL_SEQ }) as Array<{ jobId: string }>;
    return rows.map((r) => r.jobId);
  }

  /** Jobs with a request message here still showing buttons for a request already decided (or whose job ended). */
  staleRequestJobs(): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT c.job_id AS jobId FROM chat_requests c
           JOIN permission_requests p ON p.job_id = c.job_id AND p.request_id = c.request_id
           JOIN jobs j ON j.id = c.job_id
           WHERE c.platform = ? AND c.final_at IS NULL
             AND (p.status <> 'pending' OR j.status IN ('completed', 'error', 'cancelled'))`,
      )
      .all(this.platform) as Array<{ jobId: string }>;
    return rows.map((r) => r.jobId);
  }

  /** One job's events not yet (fully) in chat with a seq above `afterSeq`, in seq order. */
  owedEventsOf(jobId: string, afterSeq?: number): OwedEvent[] {
    return this.db
      .prepare(
        `SELECT e.job_id AS jobId, e.seq AS seq, e.event AS event, e.received_at AS receivedAt FROM events e
           WHERE e.job_id = @job AND (@after IS NULL OR e.seq > @after) AND (${OWED})
           ORDER BY e.seq`,
      )
      .all({ platform: this.platform, job: jobId, after: afterSeq ?? null }) as OwedEvent[];
  }
}
