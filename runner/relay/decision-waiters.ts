/**
 * Agents waiting for decisions through the relay. One subscription per
 * request topic while anyone waits on it (decisions are retained, so a
 * subscription made after the decision still gets it at once); the first
 * decision that fits answers every waiter of that topic; the subscription
 * is dropped when nobody waits any more.
 *
 * Subscribe and unsubscribe of one topic run one after the other (a chain
 * per topic), so a waiter that arrives while the previous round is being
 * unsubscribed gets a fresh subscription, and with it the retained decision.
 */
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import { topics } from '../../src/protocol/topics.js';

export type WaitResult = { ok: true; wire: string } | { ok: false; error: string };

interface Waiter {
  resolve(result: WaitResult): void;
}

interface TopicState {
  jobId: string;
  requestId: string;
  waiters: Set<Waiter>;
  /** Subscribed (or subscribing) for the current waiters. */
  subscribed: boolean;
  /** The last subscribe/unsubscribe of this topic; the next one starts after it. */
  chain: Promise<void>;
  /** Stops the subscribe's retries once nobody waits. */
  retries?: AbortController;
}

export interface DecisionWaitersOptions {
  bus: MqttBus;
  prefix: string;
  log: Logger;
  /** Whether a payload on the topic is a decision for that job and request that may be handed out. */
  fits: (payload: Buffer, jobId: string, requestId: string) => boolean;
  /** Most waiters at once; more are refused. Default 1000. */
  maxWaiters?: number;
}

export class DecisionWaiters {
  private readonly byTopic = new Map<string, TopicState>();
  private count = 0;
  private offMessage: (() => void) | undefined;
  private closed = false;

  constructor(private readonly opts: DecisionWaitersOptions) {}

  get waiting(): number {
    return this.count;
  }

  /**
   * Waits for the decision on one request. `gone` is called by the caller's connection when the
   * agent disconnects: the waiter is dropped without an answer.
   */
  wait(
    jobId: string,
    requestId: string,
    timeoutMs: number,
    onGone: (cb: () => void) => void,
  ): Promise<WaitResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'runner is shutting down' });
    if (this.count >= (this.opts.maxWaiters ?? 1000))
      return Promise.resolve({ ok: false, error: 'too many agents waiting; try again' });
    // Added on first use, not at start: the bus hands messages that arrived before any handler
    // (a persistent session's backlog of runner commands) to the first handler only, which must be
    // the daemon's.
    this.offMessage ??= this.opts.bus.onMessage((topic, payload) => this.onMessage(topic, payload));
    const topic = topics.decision(this.opts.prefix, jobId, requestId);
    let state = this.byTopic.get(topic);
    if (!state) {
      state = { jobId, requestId, waiters: new Set(), subscribed: false, chain: Promise.resolve() };
      this.byTopic.set(topic, state);
    }
    const st = state;
    return new Promise<WaitResult>((resolve) => {
      const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
      const waiter: Waiter = { resolve: (r) => finish(r) };
      const finish = (r: WaitResult | undefined) => {
        if (!st.waiters.delete(waiter)) return;
        this.count--;
        clearTimeout(timer);
        if (r) resolve(r);
        this.releaseIfIdle(topic, st);
      };
      st.waiters.add(waiter);
      this.count++;
      onGone(() => finish(undefined));
      if (!st.subscribed) this.subscribe(topic, st);
    });
  }

  /** Answers everyone still waiting (the relay is closing) and stops listening. */
  close(error: string): void {
    this.closed = true;
    this.offMessage?.();
    for (const st of this.byTopic.values()) {
      st.retries?.abort();
      for (const w of [...st.waiters]) w.resolve({ ok: false, error });
    }
  }

  private subscribe(topic: string, st: TopicState): void {
    st.subscribed = true;
    const retries = new AbortController();
    st.retries = retries;
    st.chain = st.chain.then(async () => {
      try {
        // Retried (backoff, jitter) for as long as anyone waits: a cluster node that lost a peer
        // refuses subscriptions for a while, and the waiters' own timeouts bound the wait.
        await this.opts.bus.subscribe(topic, 1, {
          deadlineMs: Number.POSITIVE_INFINITY,
          signal: retries.signal,
        });
      } catch (err) {
        if (retries.signal.aborted) return;
        // Only a refusal that waiting cannot heal (not authorised, invalid filter) ends up here.
        this.opts.log.warn({ topic, err: (err as Error).message }, 'cannot subscribe to a decision topic');
        for (const w of [...st.waiters])
          w.resolve({ ok: false, error: 'runner cannot subscribe to decisions' });
      }
    });
  }

  private releaseIfIdle(topic: string, st: TopicState): void {
    if (st.waiters.size > 0 || !st.subscribed) return;
    st.subscribed = false;
    st.retries?.abort();
    st.chain = st.chain.then(async () => {
      // Someone may have come back while the chain ran: their subscribe is queued after this.
      try {
        // A bus without unsubscribe keeps the filter; messages for it are then simply ignored.
        await this.opts.bus.unsubscribe?.(topic);
      } catch (err) {
        this.opts.log.debug({ topic, err: (err as Error).message }, 'unsubscribe failed');
      }
      if (st.waiters.size === 0 && !st.subscribed && this.byTopic.get(topic) === st)
        this.byTopic.delete(topic);
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const st = this.byTopic.get(topic);
    if (!st || st.waiters.size === 0) return;
    if (!this.opts.fits(payload, st.jobId, st.requestId)) {
      if (payload.length > 0)
        this.opts.log.warn({ topic }, 'ignored a message on a decision topic that is not a valid decision');
      return;
    }
    const wire = payload.toString('utf8');
    for (const w of [...st.waiters]) w.resolve({ ok: true, wire });
  }
}
