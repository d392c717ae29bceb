/**
 * The local relay's await_decision (retained, live, several waiters, timeout, forged) with real
 * `hermes ask` processes, and its answers to garbage: it refuses and keeps serving.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askRunner } from '../../../runner/agent/runner-socket-client.js';
import type { LocalRelay } from '../../../runner/relay/local-relay.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { topics } from '../../../src/protocol/topics.js';
import { record, testBus, uniqueTopic } from '../../helpers/bus-clients.js';
import { HERMES_BIN, spawnHermes, tempHome } from '../../helpers/cli.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { agentEnv, relayAt, runnerBus, signedDecision, signedEvent, talk } from './relay-support.js';

const JOB = 'j-relay02';

let broker: MosquittoBroker;
let home: string;
let cleanup: () => void;
let prefix: string;
let bus: MqttBus;
let peer: MqttBus;
let relay: LocalRelay;
let env: Record<string, string>;
let sock: string;

beforeEach(async () => {
  broker = await startMosquitto({ persistence: true });
  ({ home, cleanup } = tempHome('hermes-relay-'));
  prefix = uniqueTopic('relayreq');
  bus = await runnerBus(broker.url, `q-${prefix.slice(-8)}`);
  peer = await testBus(broker.url);
  relay = await relayAt(home, bus, prefix);
  env = agentEnv(home, JOB, prefix);
  sock = env.HERMES_RUNNER_SOCKET!;
});

afterEach(async () => {
  await relay.close();
  await bus.close();
  await peer.close();
  await broker.stop();
  cleanup();
});

const decide = (requestId: string, decision: 'approve' | 'deny', retain = true) =>
  peer.publish(topics.decision(prefix, JOB, requestId), signedDecision(JOB, requestId, decision), {
    qos: 1,
    retain,
  });

function spawnAsk(args: string[]) {
  const child = spawn(process.execPath, [HERMES_BIN, 'ask', ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: out, stderr: err })),
  );
}

describe.skipIf(!hasMosquitto() && !requireSystemDeps())('local relay requests (real Mosquitto)', () => {
  it('hermes ask gets a retained decision at once', async () => {
    await decide('r-retained1', 'approve');
    const r = await spawnHermes(['ask', '--request-id', 'r-retained1', '--timeout', '20'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ request_id: 'r-retained1', decision: 'approve' });
    await waitFor(() => relay.waiting() === 0, { timeoutMs: 2000, message: 'no waiters left' });
  });

  it('hermes ask publishes its request through the relay and gets a live (not retained) decision', async () => {
    const watcher = await testBus(broker.url);
    const seen = record(watcher);
    await watcher.subscribe(topics.jobEvents(prefix, JOB), 1);
    try {
      const ask = spawnAsk(['--tool', 'Bash', '--input', '{"command":"ls"}', '--timeout', '20']);
      await waitFor(() => seen.received.length === 1 && relay.waiting() === 1, {
        timeoutMs: 15_000,
        message: 'permission request published and the agent waiting',
      });
      const req = JSON.parse(seen.received[0]!.text);
      expect(req).toMatchObject({ event: 'permission_required', data: { tool: 'Bash' } });
      await decide(req.data.request_id, 'deny', false);
      const r = await ask;
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'deny', decided_by: 'cli:tester' });
    } finally {
      await watcher.close();
    }
  });

  it('several waiters on one request all get the decision; a forged one is never handed out', async () => {
    const relayWithToken = relay;
    await relayWithToken.close();
    relay = await relayAt(home, bus, prefix, {
      jobToken: () => 'relay-test-token-0123456789abcdefghijklmnopq',
    });
    const wait = () =>
      askRunner(
        sock,
        { op: 'await_decision', job_id: JOB, request_id: 'r-many', timeout_ms: 15_000 },
        20_000,
      );
    const a = wait();
    const b = wait();
    await waitFor(() => relay.waiting() === 2, { timeoutMs: 5000, message: 'two waiters' });
    // Signed with another key: the relay knows the job's token and ignores it.
    await peer.publish(
      topics.decision(prefix, JOB, 'r-many'),
      signedDecision(JOB, 'r-many', 'approve').replace(
        /"hmac_sig":"[0-9a-f]{64}"/,
        `"hmac_sig":"${'0'.repeat(64)}"`,
      ),
      { qos: 1 },
    );
    await decide('r-many', 'approve', false);
    const [ra, rb] = await Promise.all([a, b]);
    for (const r of [ra, rb]) {
      expect(r.ok).toBe(true);
      expect(JSON.parse(r.wire!)).toMatchObject({ data: { request_id: 'r-many', decision: 'approve' } });
      expect(r.wire).not.toContain('0'.repeat(64));
    }
    expect(relay.waiting()).toBe(0);
  });

  it('answers timeout at timeout_ms, and drops a waiter whose agent went away', async () => {
    const r = await askRunner(
      sock,
      { op: 'await_decision', job_id: JOB, request_id: 'r-none', timeout_ms: 200 },
      5000,
    );
    expect(r).toEqual({ ok: false, error: 'timeout' });
    const controller = new AbortController();
    const gone = askRunner(
      sock,
      { op: 'await_decision', job_id: JOB, request_id: 'r-gone', timeout_ms: 60_000 },
      70_000,
      controller.signal,
    ).catch((e: Error) => e);
    await waitFor(() => relay.waiting() === 1, { timeoutMs: 5000, message: 'one waiter' });
    controller.abort();
    await gone;
    await waitFor(() => relay.waiting() === 0, { timeoutMs: 5000, message: 'waiter dropped' });
  });

  it('refuses garbage with an error and keeps serving', async () => {
    const topic = topics.jobEvents(prefix, JOB);
    const wire = signedEvent(JOB, 1, 'progress', 'ok');
    const pub = (over: Record<string, unknown>) =>
      `${JSON.stringify({ op: 'publish', job_id: JOB, seq: 1, topic, wire, retain: false, ...over })}\n`;
    const cases: Array<[string | Buffer, RegExp]> = [
      ['not json at all\n', /not JSON/],
      ['{"op":"nope"}\n', /bad request/],
      ['[1,2,3]\n', /bad request/],
      [pub({ seq: -1 }), /seq/],
      [pub({ topic: 'elsewhere/jobs/j-relay02/events' }), /topic must be/],
      [pub({ topic: `${prefix}/jobs/j-other/events` }), /topic must be/],
      [pub({ wire: '{"half":' }), /./],
      [pub({ wire: 'x'.repeat(70_000) }), /exceeds/],
      [pub({ seq: 2 }), /seq differs/],
      [pub({ job_id: 'j-other', topic: `${prefix}/jobs/j-other/events` }), /job_id differs/],
      [pub({ retain: true }), /retain must be false/],
      [pub({ wire: '{"schema_version":1}' }), /not a v1 agent event/],
      [pub({ wire: signedEvent(JOB, 1, 'decision', 'not an agent event') }), /not a v1 agent event/],
      [
        `${JSON.stringify({ op: 'await_decision', job_id: JOB, request_id: 'a/b', timeout_ms: 10 })}\n`,
        /request_id/,
      ],
      [Buffer.alloc(200_000, 0x61), /exceeds/],
    ];
    for (const [data, expected] of cases) {
      const reply = JSON.parse(await talk(sock, data));
      expect(reply.ok, String(data).slice(0, 80)).toBe(false);
      expect(reply.error, String(data).slice(0, 80)).toMatch(expected);
    }
    // Half a line, then the client vanishes.
    expect(await talk(sock, '{"op":"publ', { end: true })).toBe('');
    expect(relay.pending()).toBe(0);
    const r = await spawnHermes(['publish', '--event', 'progress', '--detail', 'still alive', '--json'], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).via).toBe('runner');
    const denied = await relayAt(home, bus, prefix).catch((e: Error) => e);
    expect(String(denied)).toMatch(/another process/);
  });

  it('refuses jobs the runner does not run', async () => {
    await relay.close();
    relay = await relayAt(home, bus, prefix, { jobAllowed: (id) => id === 'j-mine' });
    const r = await spawnHermes(['publish', '--event', 'progress'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown job j-relay02/);
  });
});
