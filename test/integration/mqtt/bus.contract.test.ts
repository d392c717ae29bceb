/**
 * The MqttBus contract, written once and run against every broker Hermes supports: real Mosquitto,
 * NATS with MQTT and RabbitMQ with its MQTT plugin (each skipped loudly by global-setup when it is
 * not installed), and the embedded aedes broker.
 */
import { Writable } from 'node:stream';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isHermesError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { buildClientOptions } from '../../../src/mqtt/options.js';
import {
  brokerKinds,
  brokerStartMs,
  cheapToStart,
  startTestBroker,
  type TestBroker,
} from '../../helpers/brokers.js';
import { defaultMqttSection, record, testBus, uniqueTopic } from '../../helpers/bus-clients.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';

const within = (message: string) => ({ timeoutMs: 5_000, message });

for (const { kind, available } of brokerKinds()) {
  describe.skipIf(!available)(`MqttBus contract on ${kind}`, () => {
    let broker: TestBroker;
    const open: MqttBus[] = [];
    const bus = async (
      overrides: Parameters<typeof testBus>[1] = {},
      log?: Parameters<typeof testBus>[2],
    ) => {
      const b = await testBus(broker.url, overrides, log);
      open.push(b);
      return b;
    };

    beforeAll(async () => {
      broker = await startTestBroker(kind);
    }, brokerStartMs(kind));
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });
    afterAll(async () => {
      await broker?.stop();
    });

    it('delivers a QoS 1 publish with its exact bytes', async () => {
      const topic = uniqueTopic('qos1');
      const sub = await bus();
      const got = record(sub);
      await sub.subscribe(`${topic}/#`, 1);
      const pub = await bus();
      const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0xe2, 0x82, 0xac]);
      await pub.publish(`${topic}/a`, bytes, { qos: 1 });
      await waitFor(() => got.received.length === 1, within('the QoS 1 message'));
      expect(got.received[0]!.topic).toBe(`${topic}/a`);
      expect(got.received[0]!.payload.equals(bytes)).toBe(true);
      expect(got.received[0]!.meta).toEqual({ retain: false, dup: false });
      expect(sub.connected).toBe(true);
    });

    it('gives a retained message to a late subscriber, and an empty retained publish clears it', async () => {
      const topic = uniqueTopic('retained');
      const pub = await bus();
      await pub.publish(topic, 'online', { qos: 1, retain: true });

      const late = await bus();
      const lateGot = record(late);
      await late.subscribe(topic);
      await waitFor(() => lateGot.received.length === 1, within('the retained message'));
      expect(lateGot.received[0]).toMatchObject({ text: 'online', meta: { retain: true } });

      await pub.publish(topic, '', { qos: 1, retain: true });
      const later = await bus();
      const laterGot = record(later);
      await later.subscribe(topic);
      // A live marker after the subscription: any retained message would have come before it.
      await pub.publish(topic, 'marker', { qos: 1 });
      await waitFor(() => laterGot.texts().includes('marker'), within('the marker'));
      expect(laterGot.texts()).toEqual(['marker']);
    });

    it('keeps QoS 1 messages for a persistent session while it is away', async () => {
      const topic = uniqueTopic('persistent');
      const clientId = `persist-${topic.split('/').at(-1)}`;
      const first = await testBus(broker.url, { clientId, clean: false });
      await first.subscribe(topic, 1);
      await first.close();

      const pub = await bus();
      for (const m of ['m1', 'm2', 'm3']) await pub.publish(topic, m, { qos: 1 });

      // Same id, clean: false, and no new SUBSCRIBE: the broker kept both subscription and messages.
      const back = await bus({ clientId, clean: false });
      const got = record(back);
      await waitFor(() => got.received.length >= 3, within('the three queued messages'));
      expect(got.texts(topic)).toEqual(['m1', 'm2', 'm3']);
    });

    it('delivers the last will when a client dies, but not when it closes cleanly', async () => {
      const topic = uniqueTopic('will');
      const watcher = await bus();
      const got = record(watcher);
      await watcher.subscribe(`${topic}/#`, 1);

      const will = (leaf: string) => ({
        topic: `${topic}/${leaf}`,
        payload: Buffer.from('offline'),
        qos: 1 as const,
        retain: false,
      });
      // The bus hides its socket, so the dying client is a bare mqtt.js client with the same options.
      const victim = await connectAsync(broker.url, {
        ...buildClientOptions({ mqtt: defaultMqttSection() }, { will: will('killed') }, { url: broker.url }),
        reconnectPeriod: 0,
      });
      victim.stream.destroy();
      await waitFor(
        () => got.texts(`${topic}/killed`).length === 1,
        within('the last will of a killed client'),
      );
      await victim.endAsync(true);

      const polite = await testBus(broker.url, { will: will('closed') });
      await polite.close();
      const pub = await bus();
      await pub.publish(`${topic}/closed`, 'marker', { qos: 1 });
      await waitFor(() => got.texts(`${topic}/closed`).includes('marker'), within('the marker'));
      expect(got.texts(`${topic}/closed`)).toEqual(['marker']);
    });

    it('keeps delivering after a handler throws or rejects, and logs the failure', async () => {
      const topic = uniqueTopic('throws');
      const logged: string[] = [];
      const destination = new Writable({
        write(chunk, _e, cb) {
          logged.push(String(chunk));
          cb();
        },
      });
      const sub = await bus({}, createLogger({ level: 'error', destination }));
      sub.onMessage(() => {
        throw new Error('sync handler bug');
      });
      sub.onMessage(async () => {
        throw new Error('async handler bug');
      });
      const got = record(sub);
      await sub.subscribe(topic);
      const pub = await bus();
      await pub.publish(topic, 'one', { qos: 1 });
      await pub.publish(topic, 'two', { qos: 1 });
      await waitFor(() => got.received.length === 2, within('both messages despite failing handlers'));
      expect(got.texts()).toEqual(['one', 'two']);
      await waitFor(() => logged.length === 4, within('four handler failures logged'));
      expect(logged.join('')).toContain('sync handler bug');
      expect(logged.join('')).toContain('async handler bug');
    });

    it('stops calling a removed handler', async () => {
      const topic = uniqueTopic('off');
      const sub = await bus();
      const removedCalls: string[] = [];
      const off = sub.onMessage((_t, p) => removedCalls.push(p.toString()));
      const got = record(sub);
      await sub.subscribe(topic);
      const pub = await bus();
      await pub.publish(topic, 'before', { qos: 1 });
      await waitFor(() => got.received.length === 1, within('the first message'));
      off();
      await pub.publish(topic, 'after', { qos: 1 });
      await waitFor(() => got.received.length === 2, within('the second message'));
      expect(removedCalls).toEqual(['before']);
    });

    // The last test: a broker too slow to boot twice (RabbitMQ) loses the suite's own broker.
    it('reports losing the broker through onConnectionChange', async () => {
      const own = cheapToStart(kind) ? await startTestBroker(kind) : broker;
      try {
        const b = await testBus(own.url);
        open.push(b);
        const changes: boolean[] = [];
        b.onConnectionChange((c) => changes.push(c));
        expect(b.connected).toBe(true);
        await own.stop();
        await waitFor(() => !b.connected, within('the bus to notice the broker is gone'));
        expect(changes).toEqual([false]);
      } finally {
        await own.stop();
      }
    });
  });
}

describe('connectBus failures', () => {
  it('turns a refused connection into a broker error that says what to check', async () => {
    const port = await freePort();
    const err = await testBus(`mqtt://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(isHermesError(err, 'broker')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as { hint?: string }).hint).toContain('HERMES_MQTT_URL');
  });
});
