/**
 * Past one broker: an endpoint list (the next endpoint when one fails, at connect and after a
 * node dies), subscriptions made again on the new node, and subscribe refusals retried with
 * backoff until the broker accepts (a cluster node that lost a peer refuses for a while).
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { quickPublishWithRetry } from '../../../src/mqtt/quick-publish.js';
import { defaultBrokerKind, startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { record, testBus, uniqueTopic } from '../../helpers/bus-clients.js';
import { captureLog } from '../../helpers/log-capture.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';

const within = (message: string) => ({ timeoutMs: 10_000, message });
const seeded = { bytes: (n: number) => Buffer.alloc(n, 7), float: () => 0.5 };

/** An aedes broker that refuses the first `refusals` subscriptions (granted 0x80), then accepts. */
async function refusingBroker(refusals: number) {
  let left = refusals;
  const broker = await Aedes.createBroker({
    authorizeSubscribe: (_client, sub, cb) => {
      if (left > 0) {
        left--;
        cb(null, null);
      } else cb(null, sub);
    },
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    refusalsLeft: () => left,
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('broker endpoint lists and subscription retries', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const bus = async (url: string, log?: Parameters<typeof testBus>[2]) => {
    const b: MqttBus = await testBus(url, {}, log);
    cleanups.push(() => b.close());
    return b;
  };
  const broker = async () => {
    const b: TestBroker = await startTestBroker();
    cleanups.push(() => b.stop());
    return b;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('connects to the first endpoint that answers', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const live = await broker();
    const b = await bus(`${dead},${live.url}`);
    expect(b.connected).toBe(true);
    const topic = uniqueTopic('first-live');
    const got = record(b);
    await b.subscribe(topic);
    await b.publish(topic, 'hi', { qos: 1 });
    await waitFor(() => got.texts().includes('hi'), within('the message through the live endpoint'));
  });

  it('rejects once every endpoint has failed', async () => {
    const a = `mqtt://127.0.0.1:${await freePort()}`;
    const b = `mqtt://127.0.0.1:${await freePort()}`;
    await expect(bus(`${a},${b}`)).rejects.toThrow(/cannot reach the MQTT broker/);
  });

  it('moves to the next node when its node dies, and subscribes there again', async () => {
    const first = await broker();
    const second = await broker();
    const b = await bus(`${first.url},${second.url}`);
    const topic = uniqueTopic('failover');
    const got = record(b);
    await b.subscribe(topic);
    await first.stop();
    await waitFor(() => !b.connected, within('the bus to notice its node died'));
    await waitFor(() => b.connected, within('the bus to reach the second node'));
    // A publisher on the second node: the message reaches us only if we subscribed there again.
    const pub = await bus(second.url);
    await waitFor(
      async () => {
        await pub.publish(topic, 'after', { qos: 1 });
        return got.texts().includes('after');
      },
      { ...within('the message on the second node'), intervalMs: 200 },
    );
  });

  it('retries a refused subscription with backoff until the broker accepts it', async () => {
    const refusing = await refusingBroker(3);
    cleanups.push(() => refusing.close());
    const logs = captureLog();
    const b = await bus(refusing.url, logs.log);
    const got = record(b);
    const topic = uniqueTopic('refused');
    await b.subscribe(topic);
    expect(refusing.refusalsLeft()).toBe(0);
    expect(logs.lines().map((l) => l.msg)).toContain('MQTT subscribe failed; retrying');
    await b.publish(topic, 'through', { qos: 1 });
    await waitFor(() => got.texts().includes('through'), within('the message after the refusals'));
  });

  it('gives up on a refused subscription at its deadline', async () => {
    const refusing = await refusingBroker(1_000);
    cleanups.push(() => refusing.close());
    const b = await bus(refusing.url);
    await expect(b.subscribe(uniqueTopic('never'), 1, { deadlineMs: 600 })).rejects.toThrow(
      /subscribe to test\/never\/\w+ failed/,
    );
  });

  it.skipIf(defaultBrokerKind() !== 'mosquitto')(
    'on MQTT 5, a retained message with an expiry is gone once it expired',
    async () => {
      const live = await broker();
      const v5 = await testBus(live.url, { protocolVersion: 5 });
      cleanups.push(() => v5.close());
      const topic = uniqueTopic('expiry');
      await v5.publish(`${topic}/short`, 'gone soon', { qos: 1, retain: true, expirySeconds: 1 });
      await v5.publish(`${topic}/long`, 'stays', { qos: 1, retain: true, expirySeconds: 600 });
      await new Promise((r) => setTimeout(r, 2_100)); // the broker's clock decides expiry: real time
      const late = await bus(live.url);
      const got = record(late);
      await late.subscribe([`${topic}/#`]);
      await waitFor(() => got.texts().includes('stays'), within('the unexpired retained message'));
      expect(got.texts()).toEqual(['stays']);
    },
  );

  it('publishes to the next endpoint when the first refuses connections (quick publish)', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const live = await broker();
    const sub = await bus(live.url);
    const got = record(sub);
    const topic = uniqueTopic('quick-list');
    await sub.subscribe(topic);
    const waits: number[] = [];
    await quickPublishWithRetry({
      url: `${dead},${live.url}`,
      topic,
      payload: 'quick',
      timeoutMs: 2_000,
      deadlineMs: 5_000,
      random: seeded,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    // The live endpoint was tried right after the dead one, without a backoff wait between.
    expect(waits).toEqual([]);
    await waitFor(() => got.texts().includes('quick'), within('the quick publish'));
  });
});
