/**
 * Decisions as an outbox: record once in SQLite, then publish the signed
 * retained message; whatever the broker has not acknowledged is published
 * again on the next flush (after a reconnect or a restart). Also expires
 * overdue requests (a deny the agent receives) and clears a job's retained
 * decisions when it ends.
 */
import type { Clock } from '../clock.js';
import {
  type DecideResult,
  type DecisionInput,
  decide,
  decisionMessage,
  EXPIRED_BY,
  markPublished,
  overdueRequests,
  unpublishedDecisions,
} from '../jobs/decisions.js';
import { permissionRequestsOf } from '../jobs/queries.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { topics } from '../protocol/topics.js';

export interface Publisher {
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
}

export type DecidedListener = (
  result: Extract<DecideResult, { outcome: 'decided' }>,
  input: DecisionInput,
) => void;

export class DecisionService {
  private readonly listeners = new Set<DecidedListener>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      registry: JobRegistry;
      publisher: Publisher;
      prefix: string;
      clock: Clock;
      log: Logger;
    },
  ) {}

  onDecided(l: DecidedListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Record and publish. A second decision for one request returns `already` with the first. */
  async decide(input: DecisionInput): Promise<DecideResult> {
    const { registry, clock, prefix, log } = this.deps;
    const result = decide(registry, clock, prefix, input);
    if (result.outcome === 'already') {
      log.info(
        { job_id: input.jobId, request_id: input.requestId, by: input.by, first: result.request.decided_by },
        'decision refused: already decided',
      );
      return result;
    }
    log.info(
      {
        job_id: input.jobId,
        request_id: input.requestId,
        decision: input.decision,
        by: input.by,
        scope: input.scope ?? 'request',
      },
      'decision recorded',
    );
    for (const l of this.listeners) {
      try {
        l(result, input);
      } catch (err) {
        log.error({ err }, 'decision listener failed');
      }
    }
    await this.flush();
    return result;
  }

  /** Publish every recorded decision the broker has not acknowledged yet. Safe to call often. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const { registry, publisher, prefix, clock, log } = this.deps;
    for (const req of unpublishedDecisions(registry)) {
      const job = registry.row(req.job_id);
      if (!job) continue;
      const msg = decisionMessage(registry, prefix, req);
      try {
        await publisher.publish(msg.topic, msg.wire, { qos: 1, retain: true });
        markPublished(registry, req.job_id, req.request_id, clock.now());
      } catch (err) {
        log.warn(
          { err, job_id: req.job_id, request_id: req.request_id },
          'decision not published yet; will retry',
        );
        return;
      }
    }
  }

  /** Deny every request whose deadline passed; returns what was expired. */
  async expireOverdue(): Promise<Array<Extract<DecideResult, { outcome: 'decided' }>>> {
    const out: Array<Extract<DecideResult, { outcome: 'decided' }>> = [];
    for (const req of overdueRequests(this.deps.registry, this.deps.clock.now())) {
      const r = await this.decide({
        jobId: req.job_id,
        requestId: req.request_id,
        decision: 'deny',
        by: EXPIRED_BY,
        reason: 'expired, denied',
      });
      if (r.outcome === 'decided') out.push(r);
    }
    return out;
  }

  /** Retained decisions are cleared when a job ends: an empty retained payload removes them. */
  async clearRetained(jobId: string): Promise<void> {
    for (const req of permissionRequestsOf(this.deps.registry.db, jobId)) {
      try {
        await this.deps.publisher.publish(topics.decision(this.deps.prefix, jobId, req.request_id), '', {
          qos: 1,
          retain: true,
        });
      } catch (err) {
        this.deps.log.warn({ err, job_id: jobId }, 'could not clear a retained decision');
      }
    }
  }
}
