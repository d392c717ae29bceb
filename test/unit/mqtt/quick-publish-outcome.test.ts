/** Whether a failed quick publish may still have reached the broker (the PUBLISH went out). */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Random } from '../../../src/clock.js';
import { BrokerError } from '../../../src/mqtt/broker-errors.js';
import { quickPublish, quickPublishWithRetry } from '../../../src/mqtt/quick-publish.js';
import { type FakeBroker, startFakeBroker } from '../../helpers/fake-mqtt-broker.js';
import { freePort } from '../../helpers/ports.js';

const half: Random = { bytes: (n) => Buffer.alloc(n), float: () => 0.5 };
const noSleep = async () => {};

describe('quick publish: outcome unknown vs not sent', () => {
  let fake: FakeBroker | undefined;
  afterEach(async () => fake?.close());

  it('no PUBACK after the PUBLISH went out: maybeDelivered, through the retries too', async () => {
    fake = await startFakeBroker({ puback: 'wrong-id' });
    const once = await quickPublish({ url: fake.url, topic: 't', payload: 'x', timeoutMs: 200 }).catch(
      (e) => e,
    );
    expect(once).toBeInstanceOf(BrokerError);
    expect(once.maybeDelivered).toBe(true);
    const retried = await quickPublishWithRetry({
      url: fake.url,
      topic: 't',
      payload: 'x',
      timeoutMs: 150,
      deadlineMs: 400,
      random: half,
      sleep: noSleep,
    }).catch((e) => e);
    expect(retried).toBeInstanceOf(BrokerError);
    expect(retried.maybeDelivered).toBe(true);
  });

  it('a hang-up after the PUBLISH is maybeDelivered; one before it is not', async () => {
    fake = await startFakeBroker({ puback: 'hang-up' });
    const after = await quickPublish({ url: fake.url, topic: 't', payload: 'x', timeoutMs: 2_000 }).catch(
      (e) => e,
    );
    expect(after.maybeDelivered).toBe(true);
    await fake.close();
    fake = undefined;
    // A peer that closes right after accepting the TCP connection: no CONNACK, nothing sent.
    const server = createServer((s) => s.destroy());
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    try {
      const before = await quickPublish({
        url: `mqtt://127.0.0.1:${port}`,
        topic: 't',
        payload: 'x',
        timeoutMs: 2_000,
      }).catch((e) => e);
      expect(before).toBeInstanceOf(BrokerError);
      expect(before.maybeDelivered).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('connection refused: not sent, not maybeDelivered', async () => {
    const port = await freePort();
    const err = await quickPublishWithRetry({
      url: `mqtt://127.0.0.1:${port}`,
      topic: 't',
      payload: 'x',
      timeoutMs: 200,
      deadlineMs: 300,
      random: half,
      sleep: noSleep,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.maybeDelivered).toBe(false);
  });
});
