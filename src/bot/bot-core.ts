/**
 * The bot without chat: relay, decisions, expiry, standing approvals. Chat
 * adapters and the runner dispatcher attach to it; it knows neither.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { isHermesError } from '../errors.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { MqttBus } from '../mqtt/bus.js';
import { isTerminalEvent } from '../protocol/schemas.js';
import { topics } from '../protocol/topics.js';
import type { AuditSink } from '../relay/audit.js';
import type { AcceptedEvent } from '../relay/pipeline.js';
import { AUTO_BY_PREFIX, autoApprovalRecord, standingApproval } from './auto-approve.js';
import { DecisionService } from './decision-service.js';
import { RelayService } from './relay-service.js';

export interface BotCoreDeps {
  config: Config;
  registry: JobRegistry;
  bus: MqttBus;
  clock: Clock;
  log: Logger;
  audit: AuditSink;
  /**
   * The chat audit log ($HERMES_HOME/audit/chat.ndjson, opened by run-bot): automatic approvals
   * are decisions like a person's and are audited beside them. Tests may leave it out.
   */
  decisionAudit?: AuditSink;
}

export class BotCore {
  readonly relay: RelayService;
  readonly decisions: DecisionService;
  readonly prefix: string;
  private readonly stops: Array<() => void> = [];

  constructor(readonly deps: BotCoreDeps) {
    const { config, registry, bus, clock, log, audit } = deps;
    this.prefix = config.mqtt.topic_prefix;
    this.relay = new RelayService({
      registry,
      prefix: this.prefix,
      clock,
      log: log.child({ name: 'relay' }),
      audit,
      settings: {
        maxPayloadBytes: config.relay.max_payload_bytes,
        clockSkewSeconds: config.relay.clock_skew_seconds,
        naiveTimestamps: config.relay.naive_timestamps,
        maxSeqJump: config.relay.max_seq_jump,
        replayWindow: config.relay.replay_window,
        approvalTimeoutSeconds: config.chat.approval_timeout_seconds,
      },
    });
    this.decisions = new DecisionService({
      registry,
      publisher: bus,
      prefix: this.prefix,
      clock,
      log: log.child({ name: 'decisions' }),
      clearEndedJobs: true,
    });
    this.relay.onAccepted((e) => this.afterAccepted(e));
  }

  /** Subscribe and start background duties. Call once the bus is connected. */
  async start(): Promise<void> {
    const { bus } = this.deps;
    const eventsTopic = topics.allJobEvents(this.prefix);
    this.stops.push(
      bus.onMessage((topic, payload) => {
        // An empty payload is a cleared retained terminal event (the runner clears it after the linger).
        if (topic.startsWith(`${this.prefix}/jobs/`) && topic.endsWith('/events') && payload.length > 0)
          this.relay.handle(topic, payload);
      }),
    );
    this.stops.push(
      bus.onConnectionChange((up) => {
        if (up) void this.decisions.flush();
      }),
    );
    await bus.subscribe(eventsTopic, 1);
    await this.decisions.flush();
  }

  /**
   * One housekeeping pass: expire overdue requests, republish unacknowledged decisions, clear the
   * retained decisions of jobs that ended (also those cancelled by `hermes jobs cancel` in another
   * process, which no event announces).
   */
  async tick(): Promise<void> {
    await this.decisions.expireOverdue();
    await this.decisions.flush();
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
  }

  private async afterAccepted(e: AcceptedEvent): Promise<void> {
    if (isTerminalEvent(e.event)) {
      await this.decisions.flush();
      return;
    }
    if (e.event === 'permission_required') await this.autoApprove(e);
  }

  private async autoApprove(e: AcceptedEvent): Promise<void> {
    const { registry, clock, log, decisionAudit } = this.deps;
    const requestId = String(e.data.request_id);
    const tool = String(e.data.tool);
    const standing = standingApproval(registry, e.jobId, tool, requestId);
    if (!standing) return;
    try {
      const r = await this.decisions.decide({
        jobId: e.jobId,
        requestId,
        decision: 'approve',
        by: `${AUTO_BY_PREFIX}:${standing.decided_by}`,
        reason: `${tool} approved for this job by ${standing.decided_by}`,
        scope: 'request',
      });
      if (r.outcome === 'decided')
        decisionAudit?.write(autoApprovalRecord(registry, clock, r.request, standing));
    } catch (err) {
      // The job ended (a cancel) before the approval: nothing to approve any more.
      if (!isHermesError(err, 'after_terminal')) throw err;
      log.info(
        { job_id: e.jobId, request_id: requestId, reason: err.message },
        'automatic approval not made',
      );
    }
  }
}
