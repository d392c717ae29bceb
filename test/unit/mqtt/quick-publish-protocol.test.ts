/** The quick publisher against a scripted peer: what it sends, and what it waits for. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Random } from '../../../src/clock.js';
import { HermesError } from '../../../src/errors.js';
import { BrokerError } from '../../../src/mqtt/broker-errors.js';
import { quickPublish, quickPublishWithRetry } from '../../../src/mqtt/quick-publish.js';
import { type FakeBroker, startFakeBroker } from '../../helpers/fake-mqtt-broker.js';
import { waitFor } from '../../helpers/wait.js';

const half: Random = { bytes: (n) => Buffer.alloc(n), float: () => 0.5 };
const noSleep = async () => {};

describe('quickPublish on the wire', () => {
  let fake: FakeBroker;
  afterEach(async () => fake?.close());

  it('sends CONNECT (clean, random short client id, credentials), then PUBLISH QoS 1, then DISCONNECT', async () => {
    fake = await startFakeBroker();
    await quickPublish({
      url: fake.url,
      topic: 'hermes/jobs/j-1/events',
      payload: 'ü',
      username: 'agent',
      password: 'pw',
      timeoutMs: 5_000,
    });
    await waitFor(() => fake.received.length === 3, { timeoutMs: 2_000, message: 'DISCONNECT' });
    const [connect, publish, disconnect] = fake.received;
    expect(connect!.type).toBe(1);
    expect(connect!.body[7]).toBe(0x80 | 0x40 | 0x02);
    const idLength = connect!.body.readUInt16BE(10);
    const clientId = connect!.body.subarray(12, 12 + idLength).toString();
    expect(clientId).toMatch(/^[0-9a-zA-Z]{1,23}$/);
    expect(connect!.body.subarray(-11).toString('latin1')).toBe('\x00\x05agent\x00\x02pw');
    expect(publish).toMatchObject({ type: 3, flags: 0x02 });
    expect(publish!.body.subarray(-2).toString('utf8')).toBe('ü');
    expect(disconnect).toMatchObject({ type: 14 });
  });

  it('sets the retain flag when asked', async () => {
    fake = await startFakeBroker();
    await quickPublish({ url: fake.url, topic: 't', payload: 'x', retain: true, timeoutMs: 5_000 });
    expect(fake.received.find((p) => p.type === 3)?.flags).toBe(0x03);
  });

  it('resolves only when the PUBACK arrives', async () => {
    fake = await startFakeBroker({ puback: 'manual' });
    let settled = false;
    const publishing = quickPublish({ url: fake.url, topic: 't', payload: 'x', timeoutMs: 10_000 }).finally(
      () => {
        settled = true;
      },
    );
    await waitFor(() => fake.received.some((p) => p.type === 3), {
      timeoutMs: 2_000,
      message: 'the PUBLISH',
    });
    // The broker has the PUBLISH but has not acknowledged it: a round trip later we must still wait.
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    fake.sendPuback();
    await publishing;
    expect(settled).toBe(true);
  });

  it('ignores a PUBACK for another packet id and times out waiting for its own', async () => {
    fake = await startFakeBroker({ puback: 'wrong-id' });
    const err = await quickPublish({ url: fake.url, topic: 't', payload: 'x', timeoutMs: 300 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).toContain('waiting for PUBACK');
    expect(err.retryable).toBe(true);
  });

  it('treats a hang-up before PUBACK as retryable', async () => {
    fake = await startFakeBroker({ puback: 'hang-up' });
    const err = await quickPublish({ url: fake.url, topic: 't', payload: 'x', timeoutMs: 5_000 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/waiting for PUBACK|ECONNRESET/);
  });

  it('reports a refused CONNECT by its reason and does not retry what cannot heal', async () => {
    fake = await startFakeBroker({ connackCode: 5 });
    const err = await quickPublishWithRetry({
      url: fake.url,
      topic: 't',
      payload: 'x',
      timeoutMs: 5_000,
      deadlineMs: 60_000,
      random: half,
      sleep: noSleep,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).toContain('not authorised');
    expect(err.hint).toContain('password_file');
    expect(fake.connections).toBe(1);
  });

  it('retries "server unavailable" until the broker accepts', async () => {
    fake = await startFakeBroker({ connackCode: 3 });
    const waits: number[] = [];
    await quickPublishWithRetry({
      url: fake.url,
      topic: 't',
      payload: 'x',
      timeoutMs: 5_000,
      deadlineMs: 60_000,
      random: half,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) fake.script.connackCode = 0;
      },
    });
    expect(fake.connections).toBe(3);
    expect(waits).toEqual([50, 100]);
    expect(fake.received.filter((p) => p.type === 3)).toHaveLength(1);
  });

  it('stops when the signal aborts', async () => {
    fake = await startFakeBroker({ puback: 'manual' });
    const controller = new AbortController();
    const publishing = quickPublish({
      url: fake.url,
      topic: 't',
      payload: 'x',
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    await waitFor(() => fake.received.some((p) => p.type === 3), {
      timeoutMs: 2_000,
      message: 'the PUBLISH',
    });
    controller.abort();
    const err = await publishing.catch((e) => e);
    expect(err).toBeInstanceOf(HermesError);
    expect(err.code).toBe('timeout');
  });

  it('refuses bad input before connecting', async () => {
    fake = await startFakeBroker();
    const base = { url: fake.url, payload: 'x', timeoutMs: 1_000 };
    await expect(quickPublish({ ...base, topic: 'a/+/b' })).rejects.toMatchObject({ code: 'usage' });
    await expect(quickPublish({ ...base, topic: 'a', url: 'ws://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'config',
    });
    await expect(quickPublish({ ...base, topic: 'a', password: 'p' })).rejects.toThrow(/user name/);
    const aborted = AbortSignal.abort();
    await expect(quickPublish({ ...base, topic: 'a', signal: aborted })).rejects.toMatchObject({
      code: 'timeout',
    });
    expect(fake.connections).toBe(0);
  });
});
