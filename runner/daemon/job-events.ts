/**
 * Events the runner publishes for a job it holds: a start that failed, a
 * session that vanished. Signed with the job token (null for --no-auth
 * jobs), numbered with the same per-job seq files the agent's own
 * `hermes publish` uses (so the two never collide), retained when terminal.
 */
import { type Clock, isoTime } from '../../src/clock.js';
import { type MqttBus, RETAINED_EXPIRY_SECONDS } from '../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import { type AgentEvent, buildEvent } from '../agent/build-event.js';
import { allocateSeq, seqDir } from '../agent/seq-allocator.js';
import type { JobTokens } from './job-tokens.js';

export interface JobEventPublisherDeps {
  home: string;
  prefix: string;
  bus: Pick<MqttBus, 'publish' | 'connected'>;
  tokens: Pick<JobTokens, 'get'>;
  clock: Clock;
  /** The job's next seq (job-seqs.ts: above what other publishers used); default the claim files. */
  nextSeq?: (jobId: string) => number;
}

export class JobEventPublisher {
  constructor(private readonly deps: JobEventPublisherDeps) {}

  get connected(): boolean {
    return this.deps.bus.connected;
  }

  /** Resolves once the broker has the event (QoS 1). */
  async publish(
    jobId: string,
    event: AgentEvent,
    detail: string,
    data: Record<string, unknown> = {},
  ): Promise<number> {
    const { home, prefix, clock, bus, tokens } = this.deps;
    const token = tokens.get(jobId);
    const seq = this.deps.nextSeq ? this.deps.nextSeq(jobId) : allocateSeq(seqDir(home, jobId));
    const built = buildEvent({
      jobId,
      seq,
      event,
      timestamp: isoTime(clock.now()),
      detail,
      data: fromPlain({ ...data, reported_by: 'runner' }) as JsonObject,
      token,
      prefix,
    });
    await bus.publish(built.topic, built.wire, {
      qos: 1,
      retain: built.retain,
      ...(built.retain ? { expirySeconds: RETAINED_EXPIRY_SECONDS } : {}),
    });
    return seq;
  }

  error(jobId: string, detail: string): Promise<number> {
    return this.publish(jobId, 'error', detail);
  }
}
