/**
 * The runner's local relay against real Mosquitto (with persistence) and real `hermes publish` /
 * `hermes ask` child processes that only know HERMES_RUNNER_SOCKET (no broker URL, so no fallback).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askRunner } from '../../../runner/agent/runner-socket-client.js';
import type { LocalRelay } from '../../../runner/relay/local-relay.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { type JsonObject, parseLossless } from '../../../src/protocol/lossless-json.js';
import { verifyEnvelope } from '../../../src/protocol/signing.js';
import { topics } from '../../../src/protocol/topics.js';
import { record, testBus, uniqueTopic } from '../../helpers/bus-clients.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { agentEnv, relayAt, runnerBus, signedEvent, TOKEN } from './relay-support.js';

const JOB = 'j-relay01';

let broker: MosquittoBroker;
let home: string;
let cleanup: () => void;
let prefix: string;
let bus: MqttBus;
let relay: LocalRelay | undefined;
let sub: MqttBus;
let got: ReturnType<typeof record>;
let env: Record<string, string>;
const extraBuses: MqttBus[] = [];

beforeEach(async () => {
  broker = await startMosquitto({ persistence: true });
  ({ home, cleanup } = tempHome('hermes-relay-'));
  prefix = uniqueTopic('relay');
  bus = await runnerBus(broker.url, `r-${prefix.slice(-8)}`);
  // A persistent subscriber: what the relay forwards while it is away waits for it at the broker.
  sub = await testBus(broker.url, { clientId: `sub-${prefix.slice(-8)}`, clean: false });
  got = record(sub);
  await sub.subscribe(topics.allJobEvents(prefix), 1);
  env = agentEnv(home, JOB, prefix);
});

afterEach(async () => {
  await relay?.close();
  relay = undefined;
  for (const b of [bus, sub, ...extraBuses.splice(0)]) await b.close();
  await broker.stop();
  cleanup();
});

const eventsTopic = () => topics.jobEvents(prefix, JOB);
const seqs = () => got.texts(eventsTopic()).map((t) => JSON.parse(t).seq as number);

async function publish(detail: string, event = 'progress') {
  const r = await spawnHermes(['publish', '--event', event, '--detail', detail, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { seq: number; via: string };
}

/** Everything up to and including `last` has arrived; a later barrier event proves nothing came twice. */
async function expectDeliveredOnce(expected: number[]) {
  const barrier = await publish('barrier');
  await waitFor(() => seqs().includes(barrier.seq), {
    timeoutMs: 10_000,
    message: `barrier seq ${barrier.seq}`,
  });
  expect(seqs()).toEqual([...expected, barrier.seq]);
}

describe.skipIf(!hasMosquitto() && !requireSystemDeps())('local relay (real Mosquitto)', () => {
  it('forwards events from hermes publish once, in order, signed as the agent signed them; socket is 0600', async () => {
    const accepted: Array<[string, string, number]> = [];
    relay = await relayAt(home, bus, prefix, { onEvent: (j, e, s) => accepted.push([j, e, s]) });
    expect(statSync(join(home, 'runner.sock')).mode & 0o777).toBe(0o600);
    expect((await publish('started', 'started')).via).toBe('runner');
    for (let i = 1; i <= 4; i++) await publish(`step ${i}`);
    await relay.flush(10_000);
    await expectDeliveredOnce([1, 2, 3, 4, 5]);
    expect(accepted).toEqual([[JOB, 'started', 1], ...[2, 3, 4, 5, 6].map((s) => [JOB, 'progress', s])]);
    for (const r of got.received) {
      const tree = parseLossless(r.text) as Map<string, never>;
      expect(verifyEnvelope(tree, TOKEN)).toBe(true);
      expect(r.meta.retain).toBe(false);
    }
    expect(relay.pending()).toBe(0);
  });

  it('broker down: agents are acked from the outbox, and everything arrives in order once it is back', async () => {
    relay = await relayAt(home, bus, prefix);
    await broker.halt();
    await waitFor(() => !bus.connected, { timeoutMs: 5000, message: 'runner bus sees the broker gone' });
    for (let i = 1; i <= 4; i++) expect((await publish(`offline ${i}`)).via).toBe('runner');
    expect(relay.pending()).toBeGreaterThanOrEqual(3);
    expect(seqs()).toEqual([]);
    await broker.start();
    await relay.flush(15_000);
    await expectDeliveredOnce([1, 2, 3, 4]);
  });

  it('a relay restart with undelivered rows delivers them after the restart', async () => {
    relay = await relayAt(home, bus, prefix);
    await broker.halt();
    await waitFor(() => !bus.connected, { timeoutMs: 5000, message: 'runner bus sees the broker gone' });
    await publish('before restart 1');
    await publish('before restart 2');
    await relay.close();
    expect(relay.pending()).toBe(2);
    relay = undefined;
    // The runner process is gone: its connection (and mqtt.js's in-memory queue) with it.
    await bus.close();
    await broker.start();
    bus = await runnerBus(broker.url, `r2-${prefix.slice(-8)}`);
    relay = await relayAt(home, bus, prefix);
    await relay.flush(15_000);
    await expectDeliveredOnce([1, 2]);
  });

  it('refuses a socket another live relay serves, and replaces one whose process died', async () => {
    relay = await relayAt(home, bus, prefix);
    await expect(relayAt(home, bus, prefix)).rejects.toThrow(/another process is serving/);
    await relay.close();
    relay = undefined;
    // A process that dies without cleaning up leaves its socket file behind.
    const sock = join(home, 'runner.sock');
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`,
    ]);
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(statSync(sock).isSocket()).toBe(true);
    relay = await relayAt(home, bus, prefix);
    expect((await publish('after stale socket')).via).toBe('runner');
  });

  it('the same seq twice is forwarded once; a different wire under a used seq is refused', async () => {
    const accepted: number[] = [];
    relay = await relayAt(home, bus, prefix, { onEvent: (_j, _e, s) => accepted.push(s) });
    const sockPath = env.HERMES_RUNNER_SOCKET!;
    const wire = signedEvent(JOB, 1, 'progress', 'once');
    const req = { op: 'publish' as const, job_id: JOB, seq: 1, topic: eventsTopic(), wire, retain: false };
    expect(await askRunner(sockPath, req, 5000)).toEqual({ ok: true });
    expect(await askRunner(sockPath, req, 5000)).toEqual({ ok: true });
    const other = { ...req, wire: signedEvent(JOB, 1, 'progress', 'not the same') };
    expect(await askRunner(sockPath, other, 5000)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/already accepted with different content/),
    });
    expect(accepted).toEqual([1]);
    await relay.flush(10_000);
    // hermes publish allocates its own seqs from 1: move its counter past ours with a throwaway seq.
    const barrier = signedEvent(JOB, 2, 'progress', 'barrier');
    expect(await askRunner(sockPath, { ...req, seq: 2, wire: barrier }, 5000)).toEqual({ ok: true });
    await waitFor(() => seqs().includes(2), { timeoutMs: 10_000, message: 'barrier' });
    expect(seqs()).toEqual([1, 2]);
  });

  it("an auto_decision is signed by the runner with the job's token, under the job's next seq", async () => {
    relay = await relayAt(home, bus, prefix, { jobToken: (j) => (j === JOB ? TOKEN : undefined) });
    // As in a runner session, agents claim seqs in the runner's home.
    env.HERMES_HOME = home;
    const first = await publish('before');
    const trace = {
      op: 'auto_decision' as const,
      job_id: JOB,
      hook: 'PreToolUse',
      tool: 'Read',
      decision: 'allow' as const,
      rule: 'Read(./**)',
      origin: 'profile' as const,
      summary: 'Read src/a.ts',
    };
    const reply = await askRunner(env.HERMES_RUNNER_SOCKET!, trace, 5000);
    expect(reply).toEqual({ ok: true, seq: first.seq + 1 });
    const after = await publish('after');
    expect(after.seq).toBe(first.seq + 2);
    await waitFor(() => seqs().includes(after.seq), { timeoutMs: 10_000, message: 'after' });
    const wire = got.texts(eventsTopic())[1]!;
    expect(verifyEnvelope(parseLossless(wire) as JsonObject, TOKEN)).toBe(true);
    expect(JSON.parse(wire)).toMatchObject({
      seq: first.seq + 1,
      event: 'progress',
      detail: 'auto-allowed Read src/a.ts (Read(./**), profile)',
      data: {
        hook: 'PreToolUse',
        tool: 'Read',
        auto: {
          decision: 'allow',
          tool: 'Read',
          rule: 'Read(./**)',
          origin: 'profile',
          summary: 'Read src/a.ts',
        },
      },
    });
    // A job whose token the runner does not know is refused (the hook then signs it itself).
    expect(await askRunner(env.HERMES_RUNNER_SOCKET!, { ...trace, job_id: 'j-other' }, 5000)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/cannot sign for this job/),
    });
    // And a request that does not fit the contract names the field.
    const bad = { ...trace, origin: 'anyone' } as unknown as typeof trace;
    expect(await askRunner(env.HERMES_RUNNER_SOCKET!, bad, 5000)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/origin/),
    });
  });

  it('terminal events go out retained', async () => {
    relay = await relayAt(home, bus, prefix);
    await publish('done', 'completed');
    await relay.flush(10_000);
    const late = await testBus(broker.url);
    extraBuses.push(late);
    const lateGot = record(late);
    await late.subscribe(eventsTopic(), 1);
    await waitFor(() => lateGot.received.length === 1, {
      timeoutMs: 5000,
      message: 'retained terminal event',
    });
    expect(lateGot.received[0]!.meta.retain).toBe(true);
    expect(JSON.parse(lateGot.received[0]!.text).event).toBe('completed');
  });
});
