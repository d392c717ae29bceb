/**
 * Following the events of the jobs whose sessions the runner holds, so the
 * session store learns when a job ended even when its agent published
 * straight to the broker. Subscriptions follow the store: a job is followed
 * from just before its agent starts until its session is terminated.
 *
 * Only events that verify with the job's token count (anyone who can publish
 * on the topic could otherwise make the runner kill a live session after the
 * linger period). Events of a job whose session is still being created are
 * held and recorded once it exists; a terminal event is retained by the
 * broker and arrives again after a restart's subscribe.
 */
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import { type JsonObject, toPlain } from '../../src/protocol/lossless-json.js';
import { EventEnvelope, type EventType } from '../../src/protocol/schemas.js';
import { verifyEnvelope } from '../../src/protocol/signing.js';
import { jobIdFromEventsTopic, topics } from '../../src/protocol/topics.js';
import { decodeWire } from '../../src/protocol/wire.js';
import type { SessionStore } from '../session-store.js';
import type { JobTokens } from './job-tokens.js';

export interface JobWatchDeps {
  bus: Pick<MqttBus, 'subscribe' | 'unsubscribe'>;
  store: Pick<SessionStore, 'list' | 'recordEvent'>;
  tokens: Pick<JobTokens, 'get'>;
  prefix: string;
  maxBytes: number;
  log: Logger;
  now: () => number;
  /** Called once the store recorded a job's terminal event (worktree reports hang off it). */
  onEnded?: (jobId: string, event: 'completed' | 'error') => void;
  /** Called for every event that verified, whoever published it (job-seqs.ts counts above it). */
  onSeq?: (jobId: string, seq: number) => void;
  /** Called for a turn's end (`progress` with data.state idle), with the event's seq. */
  onTurnEnd?: (jobId: string, seq: number) => void;
}

export class JobWatch {
  private readonly followed = new Set<string>();
  /** Jobs whose session is being created, with events that arrived meanwhile. */
  private readonly starting = new Map<string, Array<{ event: EventType; at: number }>>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: JobWatchDeps) {}

  /** Follow a job about to start (before its agent can publish). */
  async beginStart(jobId: string): Promise<void> {
    this.starting.set(jobId, []);
    await this.follow([jobId]);
  }

  /** The session exists now: record what arrived while it was created. */
  endStart(jobId: string): void {
    const held = this.starting.get(jobId) ?? [];
    this.starting.delete(jobId);
    for (const h of held) {
      const s = this.deps.store.recordEvent(jobId, h.event, h.at);
      if (s && (h.event === 'completed' || h.event === 'error')) this.deps.onEnded?.(jobId, h.event);
    }
  }

  /** The start failed: stop holding its events (the next sync drops the subscription). */
  abortStart(jobId: string): void {
    this.starting.delete(jobId);
  }

  /** Subscriptions = jobs with a running or stopped session, plus jobs being started. */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.syncNow());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  /** After a reconnect without a stored session the broker forgot our subscriptions: make them again. */
  async resubscribeAll(): Promise<void> {
    const all = [...this.followed];
    if (all.length)
      await this.deps.bus.subscribe(
        all.map((j) => topics.jobEvents(this.deps.prefix, j)),
        1,
      );
  }

  private async syncNow(): Promise<void> {
    const want = new Set(this.deps.store.list({ status: ['running', 'stopped'] }).map((s) => s.jobId));
    for (const j of this.starting.keys()) want.add(j);
    await this.follow([...want].filter((j) => !this.followed.has(j)));
    const gone = [...this.followed].filter((j) => !want.has(j));
    if (gone.length && this.deps.bus.unsubscribe) {
      await this.deps.bus.unsubscribe(gone.map((j) => topics.jobEvents(this.deps.prefix, j)));
    }
    for (const j of gone) this.followed.delete(j);
  }

  private async follow(jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.deps.bus.subscribe(
      jobIds.map((j) => topics.jobEvents(this.deps.prefix, j)),
      1,
    );
    for (const j of jobIds) this.followed.add(j);
  }

  /** Bus handler; ignores every topic but the events of followed jobs. */
  onMessage(topic: string, payload: Buffer): void {
    const jobId = jobIdFromEventsTopic(this.deps.prefix, topic);
    if (!jobId || !this.followed.has(jobId) || payload.length === 0) return;
    const v = this.verified(jobId, payload);
    if (!v) return;
    const { event } = v;
    this.deps.onSeq?.(jobId, v.seq);
    if (v.idle) this.deps.onTurnEnd?.(jobId, v.seq);
    const at = this.deps.now();
    const held = this.starting.get(jobId);
    if (held) {
      held.push({ event, at });
      return;
    }
    const s = this.deps.store.recordEvent(jobId, event, at);
    if (s && (event === 'completed' || event === 'error')) {
      this.deps.log.info({ job: jobId, session: s.name, event }, 'job ended');
      this.deps.onEnded?.(jobId, event);
    }
  }

  private verified(
    jobId: string,
    payload: Buffer,
  ): { event: EventType; seq: number; idle: boolean } | undefined {
    const { log } = this.deps;
    try {
      const tree: JsonObject = decodeWire(payload, this.deps.maxBytes);
      const r = EventEnvelope.safeParse(toPlain(tree));
      if (!r.success || r.data.job_id !== jobId) {
        log.debug({ job: jobId }, 'ignored a malformed event on a followed job');
        return undefined;
      }
      const token = this.deps.tokens.get(jobId);
      if (token !== null && !verifyEnvelope(tree, token)) {
        log.warn({ job: jobId, seq: r.data.seq }, 'ignored an event whose signature does not verify');
        return undefined;
      }
      const data = r.data.data as Record<string, unknown> | undefined;
      return {
        event: r.data.event,
        seq: r.data.seq,
        idle: r.data.event === 'progress' && data?.state === 'idle',
      };
    } catch (e) {
      log.debug({ job: jobId, err: (e as Error).message }, 'ignored an unreadable event');
      return undefined;
    }
  }
}
