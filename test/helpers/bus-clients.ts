/** MqttBus clients for tests: default config, a unique topic space, and a message recorder. */
import { randomBytes } from 'node:crypto';
import { MqttConfig } from '../../src/config/schema.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { connectBus, type MessageMeta, type MqttBus } from '../../src/mqtt/bus.js';
import { buildClientOptions, type ClientOverrides } from '../../src/mqtt/options.js';

/** A bus that is never connected: for code that only needs to start and stop around one. */
export const idleBus: MqttBus = {
  publish: () => Promise.reject(new Error('not connected')),
  subscribe: () => Promise.resolve(),
  unsubscribe: () => Promise.resolve(),
  onMessage: () => () => undefined,
  connected: false,
  onConnectionChange: () => () => undefined,
  close: () => Promise.resolve(),
};

/** The `mqtt` config section with every default, as a bare config file would give. */
export const defaultMqttSection = () => MqttConfig.parse({});

export function testBus(
  url: string,
  overrides: ClientOverrides = {},
  log: Logger = silentLogger,
): Promise<MqttBus> {
  const options = buildClientOptions({ mqtt: defaultMqttSection() }, overrides, { url });
  // Tests reconnect quickly so a broker restart does not cost a second of idle waiting.
  return connectBus({ url, options: { ...options, reconnectPeriod: 100 }, log });
}

/** A topic prefix no other test uses, so tests can share a broker. */
export const uniqueTopic = (label: string) => `test/${label}/${randomBytes(4).toString('hex')}`;

export interface Received {
  topic: string;
  payload: Buffer;
  text: string;
  meta: MessageMeta;
}

/** Records everything the bus delivers; `texts(topic)` lists payloads in arrival order. */
export function record(bus: MqttBus) {
  const received: Received[] = [];
  bus.onMessage((topic, payload, meta) =>
    received.push({ topic, payload, text: payload.toString('utf8'), meta }),
  );
  return {
    received,
    texts: (topic?: string) =>
      received.filter((r) => topic === undefined || r.topic === topic).map((r) => r.text),
  };
}
