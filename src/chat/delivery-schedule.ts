/**
 * When a job's events go to chat. Per job, one batch at a time in the job's queue: a batch posts
 * every event of the job still owed, in seq order (earlier failures first, then what just
 * arrived), and stops at the first failure, so no event overtakes one that has not landed (a
 * "Completed" before the permission request it followed). A job whose batch failed backs off for
 * the periodic retry (retryAfterMs, doubling, at most 10 minutes); a new event of the job, or
 * `retryOwed(0, true)` after a platform connection came back, tries at once regardless.
 * An event still failing `giveUpAfterMs` after it arrived is given up: logged and audited once,
 * then left alone, so a job whose channel is gone is not retried forever.
 */
import { isoTime } from '../clock.js';
import { isTerminalEvent } from '../protocol/schemas.js';
import type { OwedEvent } from './chat-state.js';
import type { ChatDeps } from './deps.js';
import type { ChatEvent } from './event-delivery.js';

const MAX_BACKOFF_MS = 10 * 60_000;

/** The log line of a failed delivery (operators and tests look for it). */
export const NOT_DELIVERED_MSG =
  'event not delivered to chat yet; it and the later events of its job are retried';

export interface DeliverySteps {
  /** Posts one event (idempotent: parts already delivered are skipped). */
  deliver(e: ChatEvent): Promise<void>;
  /** A stored event as the relay reported it. */
  load(jobId: string, seq: number): ChatEvent | undefined;
  /** Whether this platform shows the job at all. */
  serves(jobId: string): boolean;
}

export class DeliverySchedule {
  /** Jobs with a batch queued and not started yet: a new request joins it. */
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  /**
   * Per job, the last seq a batch handled since the job last failed: the next batch only looks
   * above it, so a busy job does not rescan its history at every event. A full retry clears it.
   */
  private readonly through = new Map<string, number>();
  /** Events that arrived live and wait for their job's next batch (saves decoding them again). */
  private readonly live = new Map<string, Map<number, ChatEvent>>();
  private readonly backoff = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly deps: ChatDeps,
    private readonly steps: DeliverySteps,
  ) {}

  /** A live event: goes out at once, behind whatever of its job is still owed. */
  accept(e: ChatEvent): void {
    if (!this.steps.serves(e.jobId)) return;
    const events = this.live.get(e.jobId) ?? new Map<number, ChatEvent>();
    events.set(e.seq, e);
    this.live.set(e.jobId, events);
    this.request(e.jobId);
  }

  /**
   * Queues a batch for every job owing events received at least `olderThanMs` ago; jobs backing
   * off are left out unless `now` (the platform just came back). Returns how many jobs.
   */
  retryOwed(olderThanMs: number, now = false): number {
    const { state, clock, settings } = this.deps;
    const t = clock.now();
    const skip = now ? [] : [...this.backoff].filter(([, b]) => b.until > t).map(([job]) => job);
    const jobs = state.owedJobs(isoTime(t - olderThanMs), settings.defaultChannel !== undefined, skip);
    let n = 0;
    for (const jobId of jobs) {
      if (this.pending.has(jobId) || this.running.has(jobId)) continue;
      // Something below the mark may be owed again (a progress edit that failed after its batch).
      this.through.delete(jobId);
      this.request(jobId);
      n++;
    }
    return n;
  }

  private request(jobId: string): void {
    if (this.pending.has(jobId)) return;
    this.pending.add(jobId);
    void this.deps.queue.run(jobId, () => this.batch(jobId));
  }

  private async batch(jobId: string): Promise<void> {
    this.pending.delete(jobId);
    this.running.add(jobId);
    const live = this.live.get(jobId);
    this.live.delete(jobId);
    const stale: OwedEvent[] = [];
    let current: OwedEvent | undefined;
    try {
      for (const o of this.owed(jobId, live)) {
        current = o;
        if (o.event === 'progress' && this.tooOld(o)) {
          // Progress only ever shows as the latest one: a day-old update is not worth retrying.
          stale.push(o);
          continue;
        }
        const e = live?.get(o.seq) ?? this.steps.load(jobId, o.seq);
        try {
          if (e) await this.steps.deliver(e);
        } catch (err) {
          if (!this.tooOld(o)) throw err;
          this.giveUp([o], err);
        }
        this.through.set(jobId, o.seq);
        // An ended job gets no more events: forget its mark rather than keep it forever.
        if (isTerminalEvent(o.event as ChatEvent['event'])) this.through.delete(jobId);
      }
      this.backoff.delete(jobId);
    } catch (err) {
      this.through.delete(jobId);
      const failures = (this.backoff.get(jobId)?.failures ?? 0) + 1;
      const waitMs = Math.min(MAX_BACKOFF_MS, this.deps.settings.retryAfterMs * 2 ** (failures - 1));
      this.backoff.set(jobId, { failures, until: this.deps.clock.now() + waitMs });
      this.deps.log.warn({ err, job_id: jobId, seq: current?.seq, retry_in_ms: waitMs }, NOT_DELIVERED_MSG);
    } finally {
      this.running.delete(jobId);
      if (stale.length > 0) this.giveUp(stale, undefined);
    }
  }

  /** What this batch posts: the job's owed events above the mark, and any live ones, by seq. */
  private owed(jobId: string, live: Map<number, ChatEvent> | undefined): OwedEvent[] {
    const owed = this.deps.state.owedEventsOf(jobId, this.through.get(jobId));
    const seen = new Set(owed.map((o) => o.seq));
    // A live event below the mark (it arrived late) is not in the query: add it.
    const now = isoTime(this.deps.clock.now());
    for (const e of live?.values() ?? []) {
      if (!seen.has(e.seq)) owed.push({ jobId, seq: e.seq, event: e.event, receivedAt: now });
    }
    return owed.sort((a, b) => a.seq - b.seq);
  }

  private tooOld(o: OwedEvent): boolean {
    return Date.parse(o.receivedAt) < this.deps.clock.now() - this.deps.settings.giveUpAfterMs;
  }

  /**
   * Stops retrying events of one job: recorded as delivered so no query finds them owed again,
   * then logged and audited once (one line for a run of stale progress updates).
   */
  private giveUp(events: OwedEvent[], err: unknown): void {
    const { state, audit, log, clock, platform } = this.deps;
    const first = events[0]!;
    const seqs = events.map((o) => o.seq);
    // chat_deliveries has no "abandoned" part: the audit line is the record that these never showed.
    state.markDelivered(first.jobId, seqs, 'thread');
    const terminal = events.filter((o) => isTerminalEvent(o.event as ChatEvent['event'])).map((o) => o.seq);
    if (terminal.length > 0) state.markDelivered(first.jobId, terminal, 'announce');
    const why = err === undefined ? 'stale progress' : String((err as Error | undefined)?.message ?? err);
    log.error(
      { err, job_id: first.jobId, seqs, event: first.event, received_at: first.receivedAt },
      'giving up on events chat did not accept in time; they will not be retried',
    );
    audit.write({
      received_at: isoTime(clock.now()),
      topic: `chat/${platform}`,
      verdict: 'dropped',
      reason: 'undeliverable',
      job_id: first.jobId,
      seq: first.seq,
      event: first.event,
      ...(seqs.length > 1 ? { seqs } : {}),
      detail: `not in chat since ${first.receivedAt}: ${why}`.slice(0, 500),
    });
  }
}
