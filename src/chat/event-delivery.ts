/**
 * Accepted agent events into chat. Each job's events run through the job's queue, in order; each
 * delivery is recorded per (job, seq, part) in SQLite, so after a restart the owed ones are posted
 * (into the same thread) and nothing is posted twice. Permission requests and terminal events go
 * out at once; progress goes through the coalescer.
 */
import { requestRules } from '../jobs/granted-rules.js';
import type { Job } from '../jobs/job.js';
import { lastRefusal } from '../jobs/refusal.js';
import { isTerminalState } from '../jobs/states.js';
import { jobUsage } from '../jobs/usage-queries.js';
import { toPlain } from '../protocol/lossless-json.js';
import { isTerminalEvent } from '../protocol/schemas.js';
import { SIG_FIELD } from '../protocol/signing.js';
import { decodeWire } from '../protocol/wire.js';
import type { AcceptedEvent } from '../relay/pipeline.js';
import { channelOn } from './access.js';
import { CANCEL_SEQ, type JobThread } from './chat-state.js';
import { DeliverySchedule } from './delivery-schedule.js';
import type { ChatDeps } from './deps.js';
import { JobCards } from './job-cards.js';
import type { ChatMessage } from './port.js';
import type { ProgressCoalescer } from './progress.js';
import { renderAnnouncement, renderStarted, renderTerminal, renderTurnEnded } from './render/events.js';
import type { RequestMessages } from './request-messages.js';

export type ChatEvent = Pick<
  AcceptedEvent,
  'jobId' | 'seq' | 'event' | 'timestamp' | 'detail' | 'data' | 'verified'
>;

/** `hermes run` marks a turn's end with `progress` data.state `idle`, the next turn's start with `running`. */
const turnState = (e: ChatEvent): 'idle' | 'running' | undefined =>
  e.event === 'progress' && (e.data.state === 'idle' || e.data.state === 'running')
    ? e.data.state
    : undefined;

export class EventDelivery {
  private readonly schedule: DeliverySchedule;
  readonly cards: JobCards;

  constructor(
    private readonly deps: ChatDeps,
    private readonly progress: ProgressCoalescer,
    private readonly requests: RequestMessages,
  ) {
    this.cards = new JobCards(deps);
    this.schedule = new DeliverySchedule(deps, {
      deliver: (e) => this.deliver(e),
      load: (jobId, seq) => this.load(jobId, seq),
      serves: (jobId) => {
        const job = this.deps.registry.get(jobId);
        return job !== undefined && this.serves(job);
      },
    });
  }

  /** Whether this platform shows the job: its thread is here, it was registered here, or it came from outside chat and a default channel is set. */
  serves(job: Job): boolean {
    const { state, platform, settings } = this.deps;
    const thread = state.thread(job.id);
    if (thread) return true;
    return channelOn(platform, job, undefined, settings.defaultChannel) !== undefined;
  }

  /** Queues one accepted event (live from the relay), behind anything of its job still owed. */
  accept(e: ChatEvent): void {
    this.schedule.accept(e);
  }

  /**
   * Queues the owed events of every job with one received before `olderThanMs` ago; jobs backing
   * off after failures wait their turn unless `now`. Returns how many jobs.
   */
  retryOwed(olderThanMs: number, now = false): number {
    return this.schedule.retryOwed(olderThanMs, now);
  }

  /**
   * Posts the card of a job registered outside chat now, where such jobs go on this platform,
   * instead of at its first event (a registration through the running bot). False when this
   * platform does not show it.
   */
  showRegistered(jobId: string): Promise<boolean> {
    return this.deps.queue.run(jobId, async () => {
      const job = this.deps.registry.get(jobId);
      if (!job || !this.serves(job)) return false;
      return (await this.thread(job)) !== undefined;
    });
  }

  /** Posts the job card and records the thread (registration, or the first event of a CLI job). */
  openThread(job: Job, channel: string): Promise<JobThread> {
    return this.cards.open(job, channel);
  }

  /** Edits the card to the job's current status. */
  refreshCard(jobId: string): Promise<void> {
    return this.cards.refresh(jobId);
  }

  /** Posts a note in the job's thread, in the job's queue; false when the job has no thread here. */
  note(jobId: string, content: ChatMessage): Promise<boolean> {
    return this.deps.queue.run(jobId, async () => {
      const thread = this.deps.state.thread(jobId);
      if (!thread) return false;
      this.deps.pacer.spend(thread.thread.channel);
      await this.deps.port.postInThread(thread.thread, content);
      return true;
    });
  }

  /**
   * A job ended outside the event stream (cancelled): say so in the thread and, with
   * `announcement`, in the channel; update the card, close its requests. Each of the line and the
   * announcement is recorded under CANCEL_SEQ once posted, so whichever comes first (the live
   * cancel, or the catch-up at start of a cancel made with no bot) shows it, and only once.
   */
  async ended(jobId: string, content: ChatMessage, announcement?: ChatMessage): Promise<void> {
    await this.deps.queue.run(jobId, async () => {
      const { state, pacer, port, log } = this.deps;
      const thread = state.thread(jobId);
      if (!thread) return;
      if (!state.isDelivered(jobId, CANCEL_SEQ, 'thread')) {
        pacer.spend(thread.thread.channel);
        await port.postInThread(thread.thread, content);
        state.markDelivered(jobId, [CANCEL_SEQ], 'thread');
      }
      if (announcement && !state.isDelivered(jobId, CANCEL_SEQ, 'announce')) {
        pacer.spend(thread.channel);
        await port.announce(thread.channel, announcement).then(
          () => state.markDelivered(jobId, [CANCEL_SEQ], 'announce'),
          (err: unknown) => log.warn({ err, job_id: jobId }, 'cancel not announced'),
        );
      }
      await this.refreshCard(jobId).catch((err: unknown) =>
        log.warn({ err, job_id: jobId }, 'job card not updated'),
      );
      await this.requests.closeAll(jobId);
    });
  }

  /** A stored event as the relay reported it (for catch-up after a restart). */
  private load(jobId: string, seq: number): ChatEvent | undefined {
    const row = this.deps.registry.db
      .prepare('SELECT event, timestamp, detail, wire, verified FROM events WHERE job_id = ? AND seq = ?')
      .get(jobId, seq) as
      | {
          event: AcceptedEvent['event'];
          timestamp: string;
          detail: string | null;
          wire: string;
          verified: number;
        }
      | undefined;
    if (!row) return undefined;
    const tree = toPlain(decodeWire(row.wire, Number.MAX_SAFE_INTEGER)) as { data?: Record<string, unknown> };
    const data = { ...(tree.data ?? {}) };
    delete data[SIG_FIELD];
    return {
      jobId,
      seq,
      event: row.event,
      timestamp: row.timestamp,
      detail: row.detail ?? undefined,
      data,
      verified: row.verified === 1,
    };
  }

  private async thread(job: Job): Promise<JobThread | undefined> {
    const { state, platform, registry, settings } = this.deps;
    const existing = state.thread(job.id);
    if (existing) return existing;
    if (job.chat) {
      if (job.chat.platform !== platform) return undefined;
      // Registered here, yet no thread was saved: the bot stopped between posting the card and
      // saving it. Post the card again rather than owe this job's events forever.
      const opened = await this.openThread(job, job.chat.channel);
      registry.setChatLocation(job.id, { platform, channel: job.chat.channel, thread: opened.thread.id });
      return opened;
    }
    if (settings.defaultChannel === undefined) return undefined;
    return this.openThread(job, settings.defaultChannel);
  }

  private async deliver(e: ChatEvent): Promise<void> {
    const { state, registry, port, pacer } = this.deps;
    const terminal = isTerminalEvent(e.event) || turnState(e) === 'idle';
    if (
      state.isDelivered(e.jobId, e.seq, 'thread') &&
      (!terminal || state.isDelivered(e.jobId, e.seq, 'announce'))
    ) {
      return;
    }
    const job = registry.get(e.jobId);
    if (!job) return;
    const thread = await this.thread(job);
    if (!thread) return;
    const max = this.deps.settings.maxTextChars;
    const turn = turnState(e);
    if (turn === 'idle') return this.turnEnded(e, thread);
    if (turn === 'running') return this.turnStarted(e, thread);
    // Where nothing paces the channel (the console, whose edits print below what came before),
    // progress older than a request is shown first, so the lines read in seq order. Elsewhere
    // the status message sits above the request already and its edit waits its turn.
    if (e.event === 'permission_required' && port.channelIntervalMs <= 0) {
      await this.progress
        .flushNow(e.jobId)
        .catch((err: unknown) => this.deps.log.warn({ err, job_id: e.jobId }, 'progress update not posted'));
    }
    // The card follows the job (running, waiting for approval); see JobCards for when.
    if (!isTerminalEvent(e.event)) await this.cards.follow(e.jobId);
    switch (e.event) {
      case 'progress':
        this.progress.add(e);
        return;
      case 'permission_required':
        // Decided by granted rules before anyone saw it: counted in the status message, not posted.
        if (requestRules(registry.db, e.jobId, String(e.data.request_id))?.auto_decision) {
          this.progress.add(e);
          return;
        }
        await this.requests.post(thread, e.jobId, String(e.data.request_id));
        state.markDelivered(e.jobId, [e.seq], 'thread');
        return;
      case 'started':
        pacer.spend(thread.thread.channel);
        await port.postInThread(thread.thread, renderStarted(e, max));
        state.markDelivered(e.jobId, [e.seq], 'thread');
        return;
      case 'completed':
      case 'error':
        await this.terminal(e, thread);
        return;
    }
  }

  /** A turn ended and the job waits for a reply: once in the thread, once in the channel, and the card. */
  private async turnEnded(e: ChatEvent, thread: JobThread): Promise<void> {
    const { state, registry, port, pacer, log } = this.deps;
    await this.progress
      .finish(e.jobId)
      .catch((err: unknown) => log.warn({ err, job_id: e.jobId }, 'last progress update not posted'));
    const job = registry.require(e.jobId);
    const usage = jobUsage(registry.db, e.jobId);
    const max = this.deps.settings.maxTextChars;
    const view = { ...e, result: e.data.result, turn: e.data.turn };
    if (!state.isDelivered(e.jobId, e.seq, 'thread')) {
      pacer.spend(thread.thread.channel);
      await port.postInThread(thread.thread, renderTurnEnded(view, job, 'thread', undefined, max, usage));
      state.markDelivered(e.jobId, [e.seq], 'thread');
    }
    if (!state.isDelivered(e.jobId, e.seq, 'announce')) {
      const url = await port.linkTo(thread.card).catch(() => undefined);
      pacer.spend(thread.channel);
      await port.announce(thread.channel, renderTurnEnded(view, job, 'channel', url, max, usage));
      state.markDelivered(e.jobId, [e.seq], 'announce');
    }
    state.clearStatusMessage(e.jobId);
    await this.refreshCard(e.jobId).catch((err: unknown) =>
      log.warn({ err, job_id: e.jobId }, 'job card not updated'),
    );
  }

  /** A follow-up started the next turn: a line in the thread, and the card says running again. */
  private async turnStarted(e: ChatEvent, thread: JobThread): Promise<void> {
    const { state, port, pacer, log } = this.deps;
    if (!state.isDelivered(e.jobId, e.seq, 'thread')) {
      pacer.spend(thread.thread.channel);
      await port.postInThread(thread.thread, renderStarted(e, this.deps.settings.maxTextChars));
      state.markDelivered(e.jobId, [e.seq], 'thread');
    }
    await this.refreshCard(e.jobId).catch((err: unknown) =>
      log.warn({ err, job_id: e.jobId }, 'job card not updated'),
    );
  }

  private async terminal(e: ChatEvent, thread: JobThread): Promise<void> {
    const { state, registry, port, pacer, platform, log } = this.deps;
    await this.progress
      .finish(e.jobId)
      .catch((err: unknown) => log.warn({ err, job_id: e.jobId }, 'last progress update not posted'));
    const job = registry.require(e.jobId);
    const max = this.deps.settings.maxTextChars;
    // An error after a deny says who denied what and why (src/jobs/refusal.ts).
    const refusal = e.event === 'error' ? lastRefusal(registry.db, e.jobId) : undefined;
    if (!state.isDelivered(e.jobId, e.seq, 'thread')) {
      pacer.spend(thread.thread.channel);
      await port.postInThread(
        thread.thread,
        renderTerminal(e, job, max, jobUsage(registry.db, e.jobId), { platform, refusal }),
      );
      state.markDelivered(e.jobId, [e.seq], 'thread');
    }
    if (!state.isDelivered(e.jobId, e.seq, 'announce')) {
      const url = await port.linkTo(thread.card).catch((err: unknown) => {
        log.warn({ err, job_id: e.jobId }, 'no link to the thread');
        return undefined;
      });
      pacer.spend(thread.channel);
      await port.announce(
        thread.channel,
        renderAnnouncement(
          e,
          job,
          platform,
          url,
          Math.min(max, 300),
          jobUsage(registry.db, e.jobId),
          refusal,
        ),
      );
      state.markDelivered(e.jobId, [e.seq], 'announce');
    }
    if (!state.isDelivered(e.jobId, e.seq, 'card') && isTerminalState(job.status)) {
      // Cosmetic: a failed card edit is logged and not retried.
      await this.refreshCard(e.jobId).catch((err: unknown) =>
        log.warn({ err, job_id: e.jobId }, 'job card not updated'),
      );
      state.markDelivered(e.jobId, [e.seq], 'card');
    }
    await this.requests.closeAll(e.jobId);
  }
}
