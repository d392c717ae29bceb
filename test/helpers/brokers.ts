/**
 * The broker a test talks to. Contract suites run once per kind in brokerKinds(); other tests call
 * startTestBroker() and get real Mosquitto when installed, else the embedded aedes broker.
 */
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';
import { type MosquittoOptions, startMosquitto } from './mosquitto.js';
import { hasNatsServer, startNats } from './nats.js';
import { hasRabbitMq, RABBITMQ_BOOT_MS, startRabbitMq } from './rabbitmq.js';
import { hasMosquitto, requireSystemDeps } from './system.js';

export type BrokerKind = 'mosquitto' | 'embedded' | 'nats' | 'rabbitmq';

export interface BrokerKindInfo {
  kind: BrokerKind;
  /** False when the broker is not installed: the suite for it is skipped (loudly, by global-setup). */
  available: boolean;
}

export interface TestBroker {
  readonly kind: BrokerKind;
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Every broker a contract suite should run against. With HERMES_REQUIRE_SYSTEM_DEPS=1 none is skipped. */
export function brokerKinds(): BrokerKindInfo[] {
  return [
    { kind: 'mosquitto', available: hasMosquitto() || requireSystemDeps() },
    { kind: 'embedded', available: true },
    // NATS with its MQTT listener (JetStream): the clustered broker the failover work targets.
    { kind: 'nats', available: hasNatsServer() || requireSystemDeps() },
    // RabbitMQ 3.10's MQTT plugin, a private node per suite (test/helpers/rabbitmq.ts).
    { kind: 'rabbitmq', available: hasRabbitMq() || requireSystemDeps() },
  ];
}

/** How long a suite's beforeAll may take to start a broker of that kind (a RabbitMQ node boots slowly). */
export const brokerStartMs = (kind: BrokerKind): number =>
  kind === 'rabbitmq' ? RABBITMQ_BOOT_MS + 10_000 : 30_000;

/** Whether a test may start a second broker of this kind of its own (false: too slow to boot twice). */
export const cheapToStart = (kind: BrokerKind): boolean => kind !== 'rabbitmq';

export function defaultBrokerKind(): BrokerKind {
  return hasMosquitto() || requireSystemDeps() ? 'mosquitto' : 'embedded';
}

/** Starts a broker of that kind on 127.0.0.1, on a free port unless `options.port` names one. */
export async function startTestBroker(
  kind: BrokerKind = defaultBrokerKind(),
  options: MosquittoOptions = {},
): Promise<TestBroker> {
  if (kind === 'mosquitto') {
    const m = await startMosquitto(options);
    return { kind, url: m.url, port: m.port, stop: () => m.stop() };
  }
  if (kind === 'nats') {
    const n = await startNats();
    return { kind, url: n.url, port: n.port, stop: () => n.stop() };
  }
  if (kind === 'rabbitmq') {
    const r = await startRabbitMq();
    return { kind, url: r.url, port: r.port, stop: () => r.stop() };
  }
  const b = await startEmbeddedBroker({ port: options.port ?? 0, log: silentLogger });
  return { kind, url: b.url, port: b.port, stop: () => b.close() };
}
