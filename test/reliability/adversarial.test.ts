/**
 * 10,000 random and adversarial payloads on the events topic of a real
 * `hermes bot` process (100,000 under `npm run soak`), with valid events
 * interleaved: the bot stays up, its memory stays bounded, every message is in
 * the audit log with a reason, and every valid event is accepted.
 */
import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../src/protocol/signing.js';
import { encodeWire } from '../../src/protocol/wire.js';
import { auditPath } from '../../src/relay/audit.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { runHermes, tempHome } from '../helpers/cli.js';
import { prng } from '../helpers/prng.js';
import { type HermesProcess, startHermes } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const TOTAL = process.env.HERMES_SOAK === '1' ? 100_000 : 10_000;
let broker: TestBroker | undefined;
let bot: HermesProcess | undefined;
let cleanup = () => {};
afterAll(async () => {
  await bot?.stop('SIGKILL');
  await broker?.stop();
  cleanup();
});

function rssKb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

describe('adversarial flood on the events topic', () => {
  it(`${TOTAL} hostile payloads with valid events interleaved`, { timeout: 600_000 }, async () => {
    broker = await startTestBroker(undefined, {
      persistence: false,
      extraConfig: ['max_queued_messages 0', 'max_inflight_messages 100'],
    });
    const t = tempHome();
    cleanup = t.cleanup;
    const reg = await runHermes(['jobs', 'register', '--profile', 'demo', '--json', '--reveal-token'], {
      env: { HERMES_HOME: t.home },
    });
    const { id: jobId, token } = JSON.parse(reg.stdout) as { id: string; token: string };
    const other = JSON.parse(
      (await runHermes(['jobs', 'register', '--profile', 'demo', '--json'], { env: { HERMES_HOME: t.home } }))
        .stdout,
    ).id as string;
    bot = startHermes(['bot'], {
      HERMES_HOME: t.home,
      HERMES_MQTT_URL: broker.url,
      HERMES_LOG_LEVEL: 'info',
    });
    await bot.waitForOutput('bot running'); // logged once the bot is subscribed
    const pub = await connectAsync(broker.url, { clean: true });
    const topic = `hermes/jobs/${jobId}/events`;
    const rnd = prng(20261124);
    const now = () => new Date().toISOString();
    const sign = (seq: number, extra: Record<string, unknown> = {}, key = token) =>
      encodeWire(
        signEnvelope(
          fromPlain({
            schema_version: 1,
            job_id: jobId,
            seq,
            event: 'progress',
            timestamp: now(),
            data: {},
            ...extra,
          }) as JsonObject,
          key,
        ),
      );
    let seq = 0;
    const valid: number[] = [];
    const accepted: string[] = [];
    const probe = sign(++seq);
    valid.push(seq);
    accepted.push(probe);
    await pub.publishAsync(topic, probe, { qos: 1 });
    const audit = () => {
      try {
        return readFileSync(auditPath(t.home), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    await waitFor(() => audit().length === 1, { timeoutMs: 15_000, message: 'bot relays the probe' });
    const rssStart = rssKb(bot.child.pid!);

    const hostile = (): { topic: string; payload: Buffer | string } => {
      const k = Math.floor(rnd() * 13);
      switch (k) {
        case 0:
          return {
            topic,
            payload: Buffer.from(
              Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)),
            ),
          };
        case 1:
          return { topic, payload: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]) };
        case 2:
          return {
            topic,
            payload: JSON.stringify({
              schema_version: '1',
              job_id: 7,
              seq: 'x',
              event: [],
              timestamp: null,
              data: 'no',
            }),
          };
        case 3:
          return {
            topic,
            payload: `{"schema_version":1,"job_id":"${jobId}","seq":1e400,"event":"progress","timestamp":"${now()}","data":{"n":${'9'.repeat(400)}}}`,
          };
        case 4:
          return { topic, payload: `${'['.repeat(5000)}${']'.repeat(5000)}` };
        case 5:
          return { topic, payload: rnd() < 0.1 ? Buffer.alloc(70 * 1024, 0x20) : '{"a":' };
        case 6:
          return {
            topic,
            payload: sign(seq + 1 + Math.floor(rnd() * 100), {}, 'forged-token-not-the-real-one-xxxxxxx'),
          };
        case 7:
          return { topic, payload: accepted[Math.floor(rnd() * accepted.length)]! };
        case 8:
          return { topic: 'hermes/jobs/j-nobody/events', payload: sign(1).replaceAll(jobId, 'j-nobody') };
        case 9:
          return {
            topic,
            payload: encodeWire(
              signEnvelope(
                fromPlain({
                  schema_version: 1,
                  job_id: jobId,
                  seq: seq + 5000,
                  event: 'progress',
                  timestamp: '2001-01-01T00:00:00Z',
                  data: {},
                }) as JsonObject,
                token,
              ),
            ),
          };
        case 10:
          return { topic: `hermes/jobs/${other}/events`, payload: sign(1).replaceAll(jobId, other) }; // signed with the wrong job's token
        case 11:
          return { topic, payload: '' };
        default:
          return {
            topic,
            payload: `{"schema_version":1,"job_id":"${jobId}","seq":${seq},"seq":${seq + 1},"event":"progress","timestamp":"${now()}","data":{}}`,
          };
      }
    };

    const BATCH = 500;
    let sent = 1;
    for (let i = 0; i < TOTAL; i += BATCH) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
        const m = hostile();
        batch.push(pub.publishAsync(m.topic, m.payload, { qos: 1 }));
        sent++;
        if (j % 10 === 0) {
          const v = sign(++seq, { detail: `valid ${seq}` });
          valid.push(seq);
          accepted.push(v);
          batch.push(pub.publishAsync(topic, v, { qos: 1 }));
          sent++;
        }
      }
      await Promise.all(batch);
    }
    await pub.endAsync();
    await waitFor(() => audit().length >= sent, {
      timeoutMs: 300_000,
      intervalMs: 200,
      message: `${sent} audit lines`,
    });
    expect(bot.child.exitCode).toBeNull();
    const rssEnd = rssKb(bot.child.pid!);
    const lines = audit().map(
      (l) => JSON.parse(l) as { verdict: string; reason?: string; seq?: number; job_id?: string },
    );
    expect(lines).toHaveLength(sent);
    const acceptedSeqs = lines.filter((l) => l.verdict === 'accepted').map((l) => l.seq);
    expect(acceptedSeqs.sort((a, b) => a! - b!)).toEqual(valid);
    const dropped = lines.filter((l) => l.verdict === 'dropped');
    expect(dropped.every((l) => typeof l.reason === 'string')).toBe(true);
    expect(new Set(dropped.map((l) => l.reason))).toEqual(
      new Set(['too_large', 'malformed', 'schema', 'unknown_job', 'bad_signature', 'duplicate', 'stale']),
    );
    // bounded: the bot holds no per-message state in memory beyond what it flushes
    expect(rssEnd).toBeLessThan(Math.max(rssStart * 2, rssStart + 150_000));
  });

  it('hostile and forged messages on the runner status and result topics', { timeout: 120_000 }, async () => {
    const b = await startTestBroker(undefined, { persistence: false });
    const t = tempHome();
    const runnerHome = tempHome();
    let p: HermesProcess | undefined;
    try {
      const init = await runHermes(['runner', 'init', '--id', 'r1', '--json'], {
        env: { HERMES_HOME: runnerHome.home },
      });
      const { key } = JSON.parse(init.stdout) as { key: string };
      const added = await runHermes(['runners', 'add', 'r1', '--key', key], { env: { HERMES_HOME: t.home } });
      expect(added.code, added.stderr).toBe(0);
      const reg = await runHermes(['jobs', 'register', '--profile', 'demo', '--json', '--reveal-token'], {
        env: { HERMES_HOME: t.home },
      });
      const { id: jobId, token } = JSON.parse(reg.stdout) as { id: string; token: string };
      p = startHermes(['bot'], { HERMES_HOME: t.home, HERMES_MQTT_URL: b.url, HERMES_LOG_LEVEL: 'info' });
      await p.waitForOutput('bot running');
      const pub = await connectAsync(b.url, { clean: true });
      const rnd = prng(20261130);
      const statusShaped = (runnerId: string, signWith: string) =>
        encodeWire(
          signEnvelope(
            fromPlain({
              schema_version: 1,
              job_id: runnerId,
              runner_id: runnerId,
              seq: 1_000_000,
              event: 'status',
              timestamp: new Date().toISOString(),
              data: { state: 'online', profiles: ['evil'] },
            }) as JsonObject,
            signWith,
          ),
        );
      const payloads: Array<Buffer | string> = [
        Buffer.from(Array.from({ length: 200 }, () => Math.floor(rnd() * 256))),
        Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        Buffer.alloc(70 * 1024, 0x20),
        '{"event":"status","seq":"x","runner_id":7}',
        '{"event":"result","data":null}',
        statusShaped('r1', 'not-the-runner-key-0123456789abcdef'),
        statusShaped('r2', 'not-the-runner-key-0123456789abcdef'),
      ];
      // Among them a status for r1 signed with the wrong key, claiming it is online with an 'evil' profile.
      for (let i = 0; i < 200; i++) {
        const payload = payloads[i % payloads.length]!;
        const leaf = i % 2 === 0 ? 'status' : 'results';
        const runner = i % 3 === 0 ? 'r2' : 'r1';
        await pub.publishAsync(`hermes/runners/${runner}/${leaf}`, payload, { qos: 1 });
      }
      const valid = encodeWire(
        signEnvelope(
          fromPlain({
            schema_version: 1,
            job_id: jobId,
            seq: 1,
            event: 'progress',
            timestamp: new Date().toISOString(),
            data: {},
          }) as JsonObject,
          token,
        ),
      );
      await pub.publishAsync(`hermes/jobs/${jobId}/events`, valid, { qos: 1 });
      await pub.endAsync();
      await waitFor(() => readFileSync(auditPath(t.home), 'utf8').includes('"verdict":"accepted"'), {
        timeoutMs: 30_000,
        message: 'the valid event after the runner-topic flood to be accepted',
      });
      expect(p.child.exitCode).toBeNull();
      expect(p.output()).toContain('runner message dropped');
      expect(p.output()).toContain('message from an unpaired runner dropped');
      const list = await runHermes(['runners', 'list', '--json'], { env: { HERMES_HOME: t.home } });
      const runners = JSON.parse(list.stdout) as Array<{ id: string; state: string; profiles: string[] }>;
      const r1 = runners.find((r) => r.id === 'r1');
      expect(r1?.state).toBe('unknown');
      expect(r1?.profiles).not.toContain('evil');
      expect(runners.map((r) => r.id)).toEqual(['r1']);
    } finally {
      await p?.stop('SIGKILL');
      await b.stop();
      t.cleanup();
      runnerHome.cleanup();
    }
  });
});
