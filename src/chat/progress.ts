/**
 * Progress events, coalesced: one status message per job, posted by the first progress event and
 * edited in place after that, at most once per job every `progressIntervalMs` and only when the
 * channel's pacing allows. Events arriving meanwhile merge: the newest detail wins, and every
 * merged seq is marked delivered when the edit that shows them lands.
 */
import type { ChatDeps } from './deps.js';
import type { ChatEvent } from './event-delivery.js';
import { renderProgress } from './render/events.js';

interface JobProgress {
  latest: ChatEvent | undefined;
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
      s = { latest: undefined, seqs: [], lastFlush: 0, timer: undefined, firing: false, closed: false };
      this.jobs.set(e.jobId, s);
    }
    if (s.closed || s.seqs.includes(e.seq)) return;
    s.seqs.push(e.seq);
    if (!s.latest || e.seq > s.latest.seq) s.latest = e;
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
    if (!s.closed && s.latest) this.schedule(jobId, s);
  }

  private async flush(jobId: string, s: JobProgress, urgent: boolean): Promise<void> {
    const { state, port, pacer, clock, registry } = this.deps;
    const latest = s.latest;
    const seqs = s.seqs;
    if (!latest) return;
    s.latest = undefined;
    s.seqs = [];
    const thread = state.thread(jobId);
    if (!thread) return;
    const updates = (
      registry.db
        .prepare(`SELECT COUNT(*) AS n FROM events WHERE job_id = ? AND event = 'progress'`)
        .get(jobId) as {
        n: number;
      }
    ).n;
    const content = renderProgress(latest, updates, this.deps.settings.maxTextChars);
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
}
