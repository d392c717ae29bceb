/**
 * The agent-side quick publisher against real brokers (Mosquitto when installed, and the embedded
 * one): delivery, retain, retries while the broker is away, and its small import graph.
 */
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Clock, Random } from '../../../src/clock.js';
import { BrokerError } from '../../../src/mqtt/broker-errors.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { quickPublish, quickPublishWithRetry } from '../../../src/mqtt/quick-publish.js';
import {
  brokerKinds,
  brokerStartMs,
  defaultBrokerKind,
  startTestBroker,
  type TestBroker,
} from '../../helpers/brokers.js';
import { record, testBus, uniqueTopic } from '../../helpers/bus-clients.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { freePort } from '../../helpers/ports.js';
import { hasMosquitto, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

const within = (message: string) => ({ timeoutMs: 5_000, message });
const half: Random = { bytes: (n) => Buffer.alloc(n), float: () => 0.5 };

/** Time that passes only when the publisher sleeps: retries run instantly and deterministically. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  const clock: Clock = { now: () => now };
  return { clock, waits, advance: (ms: number) => (now += ms) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const subscriber = async (url: string, overrides: Parameters<typeof testBus>[1] = {}): Promise<MqttBus> => {
  const bus = await testBus(url, overrides);
  cleanups.push(() => bus.close());
  return bus;
};

for (const { kind, available } of brokerKinds()) {
  describe.skipIf(!available)(`quickPublish on ${kind}`, () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await startTestBroker(kind);
    }, brokerStartMs(kind));
    afterAll(async () => broker?.stop());

    it('delivers once, with the exact bytes, and resolves after the broker has it', async () => {
      const topic = uniqueTopic('quick');
      const sub = await subscriber(broker.url);
      const got = record(sub);
      await sub.subscribe(topic, 1);
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await quickPublish({ url: broker.url, topic, payload: bytes, timeoutMs: 5_000 });
      await waitFor(() => got.received.length === 1, within('the published message'));
      expect(got.received[0]!.payload.equals(bytes)).toBe(true);
      // A second publish behind it: had the first been sent twice, the copy would come before this.
      await quickPublish({ url: broker.url, topic, payload: 'sentinel', timeoutMs: 5_000 });
      await waitFor(() => got.texts().includes('sentinel'), within('the sentinel'));
      expect(got.received).toHaveLength(2);
      expect(got.received[0]!.meta).toEqual({ retain: false, dup: false });
    });

    it('honours the retain flag', async () => {
      const retained = uniqueTopic('retained');
      const live = uniqueTopic('live');
      await quickPublish({
        url: broker.url,
        topic: retained,
        payload: 'kept',
        retain: true,
        timeoutMs: 5_000,
      });
      await quickPublish({ url: broker.url, topic: live, payload: 'not kept', timeoutMs: 5_000 });
      const late = await subscriber(broker.url);
      const got = record(late);
      await late.subscribe([retained, live], 1);
      await waitFor(() => got.received.length >= 1, within('the retained message'));
      expect(got.received[0]).toMatchObject({ topic: retained, text: 'kept', meta: { retain: true } });
      await quickPublish({ url: broker.url, topic: live, payload: 'marker', timeoutMs: 5_000 });
      await waitFor(() => got.texts(live).includes('marker'), within('the marker'));
      expect(got.texts(live)).toEqual(['marker']);
      await quickPublish({ url: broker.url, topic: retained, payload: '', retain: true, timeoutMs: 5_000 });
    });
  });
}

describe('quickPublishWithRetry', () => {
  it('backs off with full jitter until the deadline, then names the last failure', async () => {
    const port = await freePort(); // nothing listens here
    const time = fakeTime();
    const draws = [0.999, 0, 0.5, 0.25];
    const random: Random = { bytes: (n) => Buffer.alloc(n), float: () => draws.shift() ?? 0.5 };
    const err = await quickPublishWithRetry({
      url: `mqtt://127.0.0.1:${port}`,
      topic: 'hermes/jobs/j-1/events',
      payload: 'x',
      timeoutMs: 2_000,
      deadlineMs: 10_000,
      random,
      clock: time.clock,
      sleep: async (ms) => {
        time.waits.push(ms);
        time.advance(ms);
      },
    }).catch((e: unknown) => e);
    // Each wait is draw * ceiling, ceilings 100, 200, 400, ... capped at 5000; the last is cut to the deadline.
    expect(time.waits).toEqual([99, 0, 200, 200, 800, 1600, 2500, 2500, 2101]);
    expect(err).toBeInstanceOf(BrokerError);
    const e = err as BrokerError;
    expect(e.code).toBe('broker');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('after 9 attempts in 10 s');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.hint).toContain('HERMES_MQTT_URL');
  });

  it('succeeds once a broker that was down comes up', async () => {
    const port = await freePort();
    const topic = uniqueTopic('late');
    let got: ReturnType<typeof record> | undefined;
    let sleeps = 0;
    await quickPublishWithRetry({
      url: `mqtt://127.0.0.1:${port}`,
      topic,
      payload: 'made it',
      timeoutMs: 5_000,
      deadlineMs: 60_000,
      random: half,
      sleep: async () => {
        // Two attempts have failed against a closed port; now the broker starts.
        if (++sleeps !== 2) return;
        const broker = await startTestBroker(defaultBrokerKind(), { port });
        cleanups.push(() => broker.stop());
        const sub = await subscriber(broker.url);
        got = record(sub);
        await sub.subscribe(topic, 1);
      },
    });
    expect(sleeps).toBe(2);
    await waitFor(() => got?.received.length === 1, within('the message published after the broker came up'));
    expect(got!.texts()).toEqual(['made it']);
  });

  it.skipIf(!hasMosquitto() && !requireSystemDeps())(
    'delivers exactly once to a persistent session across a Mosquitto restart during the retries',
    async () => {
      const mosquitto = await startMosquitto({ persistence: true });
      cleanups.push(() => mosquitto.stop());
      const topic = uniqueTopic('restart');
      const sub = await subscriber(mosquitto.url, {
        clientId: `restart-${topic.split('/').at(-1)}`,
        clean: false,
      });
      const got = record(sub);
      await sub.subscribe(topic, 1);
      await mosquitto.halt();
      await waitFor(() => !sub.connected, within('the subscriber to notice the broker is gone'));

      let sleeps = 0;
      await quickPublishWithRetry({
        url: mosquitto.url,
        topic,
        payload: 'once',
        timeoutMs: 5_000,
        deadlineMs: 60_000,
        random: half,
        sleep: async () => {
          // Two attempts found no broker; it comes back with the subscriber's session from disk.
          if (++sleeps === 2) await mosquitto.start();
        },
      });
      expect(sleeps).toBe(2);
      await quickPublish({ url: mosquitto.url, topic, payload: 'sentinel', timeoutMs: 5_000 });
      await waitFor(() => got.texts().includes('sentinel'), within('the sentinel'));
      expect(got.texts()).toEqual(['once', 'sentinel']);
    },
  );
});

describe('quick-publish import graph', () => {
  it('pulls in no mqtt.js, pino, zod or any other package, and only net, tls and crypto from node', async () => {
    const result = await build({
      entryPoints: ['src/mqtt/quick-publish.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes('node_modules'))).toEqual([]);
    expect(inputs.sort()).toEqual([
      'src/errors.ts',
      'src/mqtt/broker-errors.ts',
      'src/mqtt/endpoints.ts',
      'src/mqtt/packets.ts',
      'src/mqtt/quick-publish.ts',
    ]);
    const builtins = new Set(
      Object.values(result.metafile.inputs)
        .flatMap((i) => i.imports)
        .filter((i) => i.external)
        .map((i) => i.path),
    );
    expect([...builtins].sort()).toEqual(['node:crypto', 'node:net', 'node:tls']);
  });
});
