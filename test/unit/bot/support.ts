/**
 * A BotCore on a real bot database with a fake clock and an in-memory bus whose publishes can be
 * made to fail (the broker down). Agents' events are signed with the job token and fed through
 * the relay as they arrive from the broker.
 */
import { BotCore } from '../../../src/bot/bot-core.js';
import { type Clock, isoTime, systemRandom } from '../../../src/clock.js';
import { type Config, loadConfig } from '../../../src/config/load.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { memoryAudit } from '../../../src/relay/audit.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

export interface Published {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Records publishes; while `down` is set every publish rejects, as the bus does on a broker failure. */
export function memoryBus(): MqttBus & { published: Published[]; down: boolean } {
  const bus = {
    published: [] as Published[],
    down: false,
    connected: true,
    async publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }) {
      if (bus.down) throw new Error('broker unavailable');
      bus.published.push({ topic, payload: payload.toString(), retain: opts.retain ?? false });
    },
    async subscribe() {},
    onMessage: () => () => undefined,
    onConnectionChange: () => () => undefined,
    async close() {},
  };
  return bus;
}

export class FakeClock implements Clock {
  constructor(public ms = Date.parse('2026-06-21T10:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function botFixture() {
  const t = tempHome('hermes-bot-');
  const config: Config = loadConfig({ env: { HERMES_HOME: t.home } });
  const db: Db = openBotDb(config, silentLogger);
  const clock = new FakeClock();
  const registry = new JobRegistry(db, clock, systemRandom);
  const bus = memoryBus();
  const audit = memoryAudit();
  const decisionAudit = memoryAudit();
  const core = new BotCore({ config, registry, bus, clock, log: silentLogger, audit, decisionAudit });
  const seqs = new Map<string, number>();

  /** Feeds one signed agent event through the relay and waits for the bot's reaction to it. */
  async function event(jobId: string, event: string, data: Record<string, unknown> = {}) {
    const seq = (seqs.get(jobId) ?? 0) + 1;
    seqs.set(jobId, seq);
    const env = fromPlain({
      schema_version: 1,
      job_id: jobId,
      seq,
      event,
      timestamp: isoTime(clock.now()),
      data,
    }) as JsonObject;
    const token = registry.tokenOf(jobId);
    const wire = encodeWire(token ? signEnvelope(env, token) : env);
    const outcome = core.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
    // Listeners run on later microtasks; a flush of the decision outbox runs after that.
    await new Promise((r) => setImmediate(r));
    await core.decisions.flush();
    return outcome;
  }

  return {
    home: t.home,
    config,
    db,
    clock,
    registry,
    bus,
    audit,
    decisionAudit,
    core,
    event,
    /** When the bot cleared the job's retained decisions (null: not yet). */
    cleared: (jobId: string) =>
      (
        db.prepare('SELECT decisions_cleared_at AS c FROM jobs WHERE id = ?').get(jobId) as {
          c: string | null;
        }
      ).c,
    /** Retained publishes on a job's decision topics, in order. */
    retained: (jobId: string) =>
      bus.published.filter((p) => p.retain && p.topic.startsWith(`hermes/jobs/${jobId}/decisions/`)),
    close() {
      core.stop();
      db.close();
      t.cleanup();
    },
  };
}
