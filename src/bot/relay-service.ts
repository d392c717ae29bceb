/**
 * Feeds every message on `{p}/jobs/+/events` through the relay pipeline,
 * writes the audit line, counts drops, and tells listeners about accepted
 * events. Nothing a peer sends can throw out of here.
 */
import type { Clock } from '../clock.js';
import { isoTime } from '../clock.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { jobLevelOfEventsTopic } from '../protocol/topics.js';
import type { AuditSink } from '../relay/audit.js';
import {
  type AcceptedEvent,
  EMPTY_PAYLOAD,
  evaluateMessage,
  type Outcome,
  type RelaySettings,
} from '../relay/pipeline.js';

/** Events from..to of a job that never arrived and that its runner could not send again. */
export interface UnrepairedGap {
  jobId: string;
  from: number;
  to: number;
  reason: string;
}

export type AcceptedListener = (event: AcceptedEvent) => void | Promise<void>;

export class RelayService {
  private readonly listeners = new Set<AcceptedListener>();
  private readonly gapListeners = new Set<(gap: UnrepairedGap) => void>();
  readonly counts = new Map<string, number>();

  constructor(
    private readonly deps: {
      registry: JobRegistry;
      settings: RelaySettings;
      prefix: string;
      clock: Clock;
      log: Logger;
      audit: AuditSink;
    },
  ) {}

  onAccepted(listener: AcceptedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens for gaps the runner could not fill (chat shows each once in the job's thread). */
  onGap(listener: (gap: UnrepairedGap) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /** Counts an unrepairable gap and tells the listeners. */
  reportGap(gap: UnrepairedGap): void {
    this.counts.set('gap_unrepaired', (this.counts.get('gap_unrepaired') ?? 0) + 1);
    for (const l of this.gapListeners) {
      try {
        l(gap);
      } catch (err) {
        this.deps.log.error({ err, job_id: gap.jobId }, 'gap listener failed');
      }
    }
  }

  /** Evaluate one message; always returns, never throws. */
  handle(topic: string, payload: Buffer): Outcome {
    const { log, audit, clock } = this.deps;
    let outcome: Outcome;
    try {
      outcome = evaluateMessage(
        this.deps.registry,
        this.deps.settings,
        clock,
        jobLevelOfEventsTopic(this.deps.prefix, topic),
        payload,
      );
    } catch (e) {
      // A store failure is ours, not the peer's: the message is not lost to the broker's
      // redelivery only if we crash, so we log loudly and count it.
      log.error({ err: e, topic }, 'relay failed to process a message');
      outcome = { verdict: 'dropped', detail: `internal error: ${(e as Error).message}` };
    }
    const key = outcome.verdict === 'accepted' ? 'accepted' : (outcome.reason ?? 'internal');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    audit.write({
      received_at: isoTime(clock.now()),
      topic: topic.slice(0, 256),
      verdict: outcome.verdict,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.jobId !== undefined ? { job_id: outcome.jobId } : {}),
      ...(outcome.seq !== undefined ? { seq: outcome.seq } : {}),
      ...(outcome.event !== undefined ? { event: outcome.event } : {}),
      ...(outcome.verified !== undefined ? { verified: outcome.verified } : {}),
      ...(outcome.conflict ? { conflict: true } : {}),
      ...(outcome.note ? { note: outcome.note } : {}),
      ...(outcome.verdict === 'dropped' && outcome.detail ? { detail: outcome.detail.slice(0, 500) } : {}),
    });
    if (outcome.verdict === 'dropped') {
      // A runner clears each ended job's retained terminal event: expected, audited, not warned.
      const quiet = (outcome.reason === 'duplicate' && !outcome.conflict) || outcome.detail === EMPTY_PAYLOAD;
      const fields = {
        topic: topic.slice(0, 256),
        reason: outcome.reason,
        job_id: outcome.jobId,
        seq: outcome.seq,
        detail: outcome.detail,
      };
      if (quiet) log.debug(fields, 'event dropped');
      else
        log.warn(
          fields,
          outcome.conflict ? 'event dropped: different content under an accepted seq' : 'event dropped',
        );
    } else if (outcome.accepted) {
      log.info(
        { job_id: outcome.jobId, seq: outcome.seq, event: outcome.event, verified: outcome.verified },
        'event accepted',
      );
      for (const l of this.listeners) {
        Promise.resolve()
          .then(() => l(outcome.accepted!))
          .catch((err: unknown) => log.error({ err, job_id: outcome.jobId }, 'event listener failed'));
      }
    }
    return outcome;
  }
}
