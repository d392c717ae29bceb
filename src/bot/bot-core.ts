/**
 * The bot without chat: relay, decisions, expiry, rules granted in chat. Chat
 * adapters and the runner dispatcher attach to it; it knows neither.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { MqttBus } from '../mqtt/bus.js';
import { isTerminalEvent } from '../protocol/schemas.js';
import { topics } from '../protocol/topics.js';
import type { AuditSink } from '../relay/audit.js';
import type { AcceptedEvent } from '../relay/pipeline.js';
import { DecisionService } from './decision-service.js';
import { GrantedApprovals } from './granted-approvals.js';
import { JobNotices } from './job-notices.js';
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
  /** Cancels and registrations made through the control socket, for the chat cores to show. */
  readonly notices = new JobNotices();
  readonly prefix: string;
  private readonly granted: GrantedApprovals;
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
    this.granted = new GrantedApprovals({
      registry,
      decisions: this.decisions,
      clock,
      log: log.child({ name: 'granted-rules' }),
      ...(deps.decisionAudit ? { decisionAudit: deps.decisionAudit } : {}),
    });
    this.relay.onAccepted((e) => this.afterAccepted(e));
    // A rule granted (with a decision or on its own) may answer the job's other waiting requests.
    this.decisions.onGranted((jobId) =>
      this.granted
        .regrade(jobId)
        .catch((err: unknown) =>
          log.error({ err, job_id: jobId }, 'granted rules not applied to waiting requests'),
        ),
    );
  }

  /** Subscribe and start background duties. Call once the bus is connected. */
  async start(): Promise<void> {
    const { bus } = this.deps;
    const eventsTopic = topics.allJobEvents(this.prefix);
    this.stops.push(
      bus.onMessage((topic, payload) => {
        // An empty payload (a cleared retained event) is audited by the relay like every drop.
        if (topic.startsWith(`${this.prefix}/jobs/`) && topic.endsWith('/events'))
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
    if (e.event === 'permission_required')
      await this.granted.request(e.jobId, String(e.data.request_id), e.data.policy);
  }
}
