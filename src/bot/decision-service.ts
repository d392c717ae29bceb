/**
 * Decisions as an outbox: record once in SQLite, then publish the signed
 * retained message; whatever the broker has not acknowledged is published
 * again on the next flush (after a reconnect or a restart). Also expires
 * overdue requests (a deny the agent receives) and clears the retained
 * decisions of ended jobs, however they ended (an event, a cancel in chat or
 * from the CLI in another process): a flush clears every ended job not yet
 * marked cleared, so a clear that failed is tried again on the next one.
 *
 * Publishing decisions and clearing ended jobs are two loops that never wait
 * for each other: a decision is published at once even while a flush clears a
 * batch of ended jobs (each clear waits for the broker's acknowledgement).
 */
import type { Clock } from '../clock.js';
import { HermesError, isHermesError } from '../errors.js';
import {
  type DecideResult,
  type DecisionInput,
  decide,
  decisionMessage,
  EXPIRED_BY,
  grantOf,
  jobsToClear,
  markDecisionsCleared,
  markPublished,
  overdueRequests,
  unpublishedDecisions,
} from '../jobs/decisions.js';
import { type Grant, type GrantedRule, grantedRulesOf, grantRule } from '../jobs/granted-rules.js';
import { permissionRequestsOf } from '../jobs/queries.js';
import type { JobRegistry } from '../jobs/registry.js';
import { isTerminalState } from '../jobs/states.js';
import type { Logger } from '../log.js';
import { type PublishOptions, RETAINED_EXPIRY_SECONDS } from '../mqtt/bus.js';
import { topics } from '../protocol/topics.js';

export interface Publisher {
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void>;
}

export type DecidedListener = (
  result: Extract<DecideResult, { outcome: 'decided' }>,
  input: DecisionInput,
) => void;

/** Ended jobs cleared per flush: an upgrade or a long outage must not turn into one burst of publishes. */
const CLEAR_BATCH = 50;

export type GrantedListener = (jobId: string, rule: GrantedRule) => void;

export class DecisionService {
  private readonly listeners = new Set<DecidedListener>();
  private readonly grantListeners = new Set<GrantedListener>();
  private publishing: Promise<boolean> | undefined;
  private publishAgain = false;
  private clearing: Promise<void> | undefined;
  private clearAgain = false;

  constructor(
    private readonly deps: {
      registry: JobRegistry;
      publisher: Publisher;
      prefix: string;
      clock: Clock;
      log: Logger;
      /**
       * The bot's duty (BotCore sets it): flushes also clear the retained decisions of ended jobs.
       * A one-shot `hermes jobs decide` leaves that to the bot.
       */
      clearEndedJobs?: boolean;
    },
  ) {}

  onDecided(l: DecidedListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onGranted(l: GrantedListener): () => void {
    this.grantListeners.add(l);
    return () => this.grantListeners.delete(l);
  }

  /**
   * Grants a rule for the rest of a live job without deciding a request (a bad rule throws
   * parseRule's usage error). Listeners then apply it to the job's waiting requests.
   */
  grant(g: Grant): GrantedRule {
    const { registry, log } = this.deps;
    const job = registry.row(g.jobId);
    if (!job) throw new HermesError('unknown_job', `no job with id ${g.jobId}`);
    if (isTerminalState(job.status))
      throw new HermesError(
        'after_terminal',
        `job ${job.id} is ${job.status}: no rule can be granted for it`,
      );
    const row = grantRule(registry.db, g);
    log.info({ job_id: g.jobId, kind: row.kind, rule: row.rule, by: row.granted_by }, 'rule granted');
    this.notifyGranted(g.jobId, row);
    return row;
  }

  private notifyGranted(jobId: string, row: GrantedRule): void {
    for (const l of this.grantListeners) {
      try {
        l(jobId, row);
      } catch (err) {
        this.deps.log.error({ err }, 'grant listener failed');
      }
    }
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
    const grant = grantOf(input, result.request.tool);
    const row =
      grant &&
      grantedRulesOf(registry.db, input.jobId).find(
        (r) => r.kind === grant.kind && r.rule === grant.rule.trim(),
      );
    if (row) this.notifyGranted(input.jobId, row);
    // Only the outbox: a clear of ended jobs in progress does not hold the decision back.
    await this.publishDecisions();
    return result;
  }

  /**
   * Publish every recorded decision of a live job the broker has not acknowledged yet, then clear
   * the retained decisions of ended jobs. Safe to call often: a call during a flush runs each step
   * again after (a job that ended meanwhile is cleared at once, not on the next tick).
   */
  async flush(): Promise<void> {
    if ((await this.publishDecisions()) && this.deps.clearEndedJobs) await this.clearEndedJobs();
  }

  /**
   * The outbox alone; concurrent calls coalesce into one loop, which runs again when called during
   * a pass. False when the broker refused a publish (the rest waits for the next flush).
   */
  publishDecisions(): Promise<boolean> {
    if (this.publishing) {
      this.publishAgain = true;
      return this.publishing;
    }
    this.publishing = (async () => {
      let ok: boolean;
      do {
        this.publishAgain = false;
        ok = await this.publishOutbox();
      } while (this.publishAgain);
      return ok;
    })().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  /** Clears the retained decisions of ended jobs, a batch per pass; concurrent calls coalesce likewise. */
  private clearEndedJobs(): Promise<void> {
    if (this.clearing) {
      this.clearAgain = true;
      return this.clearing;
    }
    this.clearing = (async () => {
      do {
        this.clearAgain = false;
        await this.clearEnded();
      } while (this.clearAgain);
    })().finally(() => {
      this.clearing = undefined;
    });
    return this.clearing;
  }

  /** False when the broker refused a publish (the rest waits for the next flush). */
  private async publishOutbox(): Promise<boolean> {
    const { registry, publisher, prefix, clock, log } = this.deps;
    for (const req of unpublishedDecisions(registry)) {
      // Checked again right before publishing: the job may have ended since the query.
      const job = registry.row(req.job_id);
      if (!job || isTerminalState(job.status)) continue;
      const msg = decisionMessage(registry, prefix, req);
      try {
        await publisher.publish(msg.topic, msg.wire, {
          qos: 1,
          retain: true,
          expirySeconds: RETAINED_EXPIRY_SECONDS,
        });
        markPublished(registry, req.job_id, req.request_id, clock.now());
      } catch (err) {
        log.warn(
          { err, job_id: req.job_id, request_id: req.request_id },
          'decision not published yet; will retry',
        );
        return false;
      }
    }
    return true;
  }

  private async clearEnded(): Promise<void> {
    for (const jobId of jobsToClear(this.deps.registry, CLEAR_BATCH)) {
      if (!(await this.clearRetained(jobId))) return;
    }
  }

  /** Deny every request of a live job whose deadline passed; returns what was expired. */
  async expireOverdue(): Promise<Array<Extract<DecideResult, { outcome: 'decided' }>>> {
    const out: Array<Extract<DecideResult, { outcome: 'decided' }>> = [];
    for (const req of overdueRequests(this.deps.registry, this.deps.clock.now())) {
      try {
        const r = await this.decide({
          jobId: req.job_id,
          requestId: req.request_id,
          decision: 'deny',
          by: EXPIRED_BY,
          reason: 'expired, denied',
        });
        if (r.outcome === 'decided') out.push(r);
      } catch (err) {
        // The job ended between the query and the decision (a cancel in another process).
        if (!isHermesError(err, 'after_terminal')) throw err;
        this.deps.log.info(
          { job_id: req.job_id, request_id: req.request_id, reason: err.message },
          'overdue request not expired: its job ended',
        );
      }
    }
    return out;
  }

  /**
   * An empty retained payload removes a retained decision. Every request of the job is cleared
   * (one might have been published by `hermes jobs decide` without being marked); the job is
   * marked cleared only when all went through, so a failure is retried by the next flush.
   */
  async clearRetained(jobId: string): Promise<boolean> {
    const { registry, publisher, prefix, clock, log } = this.deps;
    for (const req of permissionRequestsOf(registry.db, jobId)) {
      try {
        await publisher.publish(topics.decision(prefix, jobId, req.request_id), '', { qos: 1, retain: true });
      } catch (err) {
        log.warn(
          { err, job_id: jobId, request_id: req.request_id },
          'could not clear a retained decision of an ended job; will retry',
        );
        return false;
      }
    }
    markDecisionsCleared(registry, jobId, clock.now());
    log.debug({ job_id: jobId }, 'retained decisions of an ended job cleared');
    return true;
  }
}
