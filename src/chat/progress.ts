/**
 * Progress events, coalesced: one status message per job, posted by the first progress event and
 * edited in place after that, at most once per job every `progressIntervalMs` and only when the
 * channel's pacing allows. Events arriving meanwhile merge: the newest detail wins, and every
 * merged seq is marked delivered when the edit that shows them lands.
 *
 * Automatic decisions (the hook's `data.auto` progress events, and requests granted rules
 * decided) go through here too, but only as counts: they never become the latest detail. So do
 * running token counts (`hermes run`'s `data.tokens` events): the message shows the newest.
 */
import { autoTally, isAutoProgress, latestUpdate, updateCount } from '../jobs/auto-decisions.js';
import { tokensFromData } from '../jobs/usage.js';
import { tokensSoFar } from '../jobs/usage-queries.js';
import type { ChatDeps } from './deps.js';
import type { ChatEvent } from './event-delivery.js';
import { type EventView, renderProgress } from './render/events.js';

interface JobProgress {
  /** The newest update (not an automatic decision) not shown yet. */
  latest: ChatEvent | undefined;
  /** The update the message shows (kept to re-render when only automatic decisions came). */
  shown: EventView | undefined;
  /** The newest automatic decision not shown yet. */
  auto: ChatEvent | undefined;
  seqs: number[];
  lastFlush: number;
  timer: unknown;
  /** Between the timer firing and the flush running (waiting for the channel's pacing). */
  firing: boolean;
  closed: boolean;
}

export class ProgressCoalescer {
  private readonly jobs = new Map<string, JobProgress>();

  constructor(private readonly deps: ChatDeps) {}

  /** Takes a progress event (called inside the job's queue). */
  add(e: ChatEvent): void {
    let s = this.jobs.get(e.jobId);
    if (!s) {
      s = {
        latest: undefined,
        shown: undefined,
        auto: undefined,
        seqs: [],
        lastFlush: 0,
        timer: undefined,
        firing: false,
        closed: false,
      };
      this.jobs.set(e.jobId, s);
    }
    if (s.closed || s.seqs.includes(e.seq)) return;
    s.seqs.push(e.seq);
    const automatic =
      e.event !== 'progress' || isAutoProgress(e.data) || tokensFromData(e.data) !== undefined;
    if (automatic) {
      if (!s.auto || e.seq > s.auto.seq) s.auto = e;
    } else if (!s.latest || e.seq > s.latest.seq) s.latest = e;
    if (s.timer === undefined && !s.firing) this.schedule(e.jobId, s);
  }

  /** A terminal event is next: show the last progress at once and forget the job (inside its queue). */
  async finish(jobId: string): Promise<void> {
    const s = this.jobs.get(jobId);
    if (!s) return;
    s.closed = true;
    if (s.timer !== undefined) this.deps.timers.clearTimeout(s.timer);
    s.timer = undefined;
    this.jobs.delete(jobId);
    await this.flush(jobId, s, true);
  }

  /**
   * Something that must read after the pending progress is next (a permission request): show it
   * now, without waiting for the interval, and keep the job (inside its queue).
   */
  async flushNow(jobId: string): Promise<void> {
    const s = this.jobs.get(jobId);
    if (!s || s.closed || (!s.latest && !s.auto)) return;
    if (s.timer !== undefined) this.deps.timers.clearTimeout(s.timer);
    s.timer = undefined;
    await this.flush(jobId, s, true);
  }

  stop(): void {
    for (const s of this.jobs.values()) {
      s.closed = true;
      if (s.timer !== undefined) this.deps.timers.clearTimeout(s.timer);
    }
    this.jobs.clear();
  }

  private schedule(jobId: string, s: JobProgress): void {
    const { clock, timers, settings } = this.deps;
    const delay = Math.max(0, s.lastFlush + settings.progressIntervalMs - clock.now());
    s.timer = timers.setTimeout(() => {
      s.timer = undefined;
      void this.fire(jobId, s);
    }, delay);
  }

  private async fire(jobId: string, s: JobProgress): Promise<void> {
    const { pacer, queue, state, log } = this.deps;
    s.firing = true;
    try {
      const thread = state.thread(jobId);
      if (thread) await pacer.wait(thread.thread.channel);
      await queue.run(jobId, () => this.flush(jobId, s, false));
    } catch (err) {
      log.warn({ err, job_id: jobId }, 'progress update not posted; it is retried later');
    } finally {
      s.firing = false;
    }
    // The state stays (with lastFlush) until the job ends, so the next event still waits its turn.
    if (!s.closed && (s.latest || s.auto)) this.schedule(jobId, s);
  }

  private async flush(jobId: string, s: JobProgress, urgent: boolean): Promise<void> {
    const { state, port, pacer, clock, registry } = this.deps;
    const { latest, auto, seqs } = s;
    if (!latest && !auto) return;
    s.latest = undefined;
    s.auto = undefined;
    s.seqs = [];
    const thread = state.thread(jobId);
    if (!thread) return;
    // Stored events past this batch are not shown yet (they may be a turn's end on its way here).
    const upTo = Math.max(...seqs);
    const view = latest ?? s.shown ?? this.storedUpdate(jobId, upTo) ?? { ...auto!, detail: undefined };
    s.shown = view;
    const updates = updateCount(registry.db, jobId);
    const content = renderProgress(
      view,
      updates,
      this.deps.settings.maxTextChars,
      autoTally(registry.db, jobId),
      tokensSoFar(registry.db, jobId, upTo),
    );
    if (urgent) pacer.spend(thread.thread.channel);
    try {
      if (thread.status) await port.edit(thread.status, content);
      else state.saveStatusMessage(jobId, await port.postInThread(thread.thread, content));
    } catch (err) {
      // Not delivered: tick() finds these seqs owed and feeds them back in.
      s.lastFlush = clock.now();
      throw err;
    }
    s.lastFlush = clock.now();
    state.markDelivered(jobId, seqs, 'thread');
  }

  /** The latest update as stored (after a restart, when only automatic decisions came since). */
  private storedUpdate(jobId: string, upTo: number): EventView | undefined {
    const u = latestUpdate(this.deps.registry.db, jobId, upTo);
    return (
      u && {
        jobId,
        seq: u.seq,
        event: 'progress',
        timestamp: u.timestamp,
        detail: u.detail ?? undefined,
        verified: u.verified === 1,
      }
    );
  }
}
