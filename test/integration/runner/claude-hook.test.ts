/**
 * `hermes hook claude` as Claude Code runs it (a child process, the fixture on stdin) against the
 * in-process bot on a real broker: through the runner's local relay and on the direct path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalRelay } from '../../../runner/relay/local-relay.js';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { testBus } from '../../helpers/bus-clients.js';
import { runHermes, spawnHermes, tempHome } from '../../helpers/cli.js';
import { SHARED_DIR } from '../../helpers/vectors.js';
import { waitFor } from '../../helpers/wait.js';
import { relayAt } from './relay-support.js';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'claude-hooks');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let broker: TestBroker;
let h: BotHarness;
let home: string;
let cleanup: () => void;
let runnerBus: MqttBus | undefined;
let relay: LocalRelay | undefined;

beforeEach(async () => {
  broker = await startTestBroker();
  ({ home, cleanup } = tempHome('hermes-hook-it-'));
  h = botHarness(home, broker.url);
  await h.start();
});
afterEach(async () => {
  await relay?.close();
  await runnerBus?.close();
  relay = undefined;
  runnerBus = undefined;
  await h.stop();
  await broker.stop();
  cleanup();
});

/** The job's agent environment as the runner sets it: the relay socket, no broker URL. */
async function throughRelay(env: Record<string, string>): Promise<Record<string, string>> {
  runnerBus = await testBus(broker.url, { clientId: 'hermes-runner-hooktest', clean: false });
  relay = await relayAt(home, runnerBus, h.config.mqtt.topic_prefix);
  const { HERMES_MQTT_URL: _direct, ...rest } = env;
  return { ...rest, HERMES_RUNNER_SOCKET: join(home, 'runner.sock') };
}

const decision = (stdout: string) => JSON.parse(stdout).hookSpecificOutput;

async function pendingRequest(jobId: string) {
  await waitFor(() => permissionRequestsOf(h.bot!.db, jobId, 'pending').length === 1, {
    timeoutMs: 15_000,
    message: 'the permission request pending at the bot',
  });
  return permissionRequestsOf(h.bot!.db, jobId, 'pending')[0]!;
}

const decide = (jobId: string, requestId: string, verdict: 'approve' | 'deny', reason?: string) =>
  runHermes(
    [
      'jobs',
      'decide',
      jobId,
      requestId,
      verdict,
      '--by',
      'alice',
      ...(reason ? ['--reason', reason] : []),
      '--mqtt',
      broker.url,
    ],
    { env: { HERMES_HOME: h.home } },
  );

describe('hermes hook claude with the bot', () => {
  it('through the runner relay: PreToolUse -> request at the bot -> approve -> allow; Stop -> progress', async () => {
    const { job, token } = h.register();
    const env = await throughRelay(h.agentEnv(job, token));
    const hook = spawnHermes(['hook', 'claude'], {
      env,
      stdin: fixture('pre-tool-use-bash.json'),
      timeoutMs: 30_000,
    });
    const req = await pendingRequest(job.id);
    expect(req).toMatchObject({ tool: 'Bash', detail: 'Bash: npm test -- --runInBand (Run the test suite)' });
    expect(JSON.parse(req.input)).toMatchObject({ command: 'npm test -- --runInBand' });
    const d = await decide(job.id, req.request_id, 'approve');
    expect(d.code, d.stderr).toBe(0);
    const r = await hook;
    expect(r.code, r.stderr).toBe(0);
    expect(decision(r.stdout)).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'allow',
      permissionDecisionReason: 'approved by alice via Hermes',
    });

    const stop = await spawnHermes(['hook', 'claude'], { env, stdin: fixture('stop.json') });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe('');
    await waitFor(() => eventsOf(h.bot!.db, job.id).some((e) => e.detail === 'agent finished its turn'), {
      timeoutMs: 10_000,
      message: 'the Stop progress event at the bot',
    });
    // Stop is progress: the job is not ended by a turn ending.
    expect(h.bot!.registry.require(job.id).status).toBe('running');
  });

  it('direct path: deny -> deny with the reason', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const hook = spawnHermes(['hook', 'claude'], {
      env,
      stdin: fixture('pre-tool-use-write.json'),
      timeoutMs: 30_000,
    });
    const req = await pendingRequest(job.id);
    expect(req.tool).toBe('Write');
    const d = await decide(job.id, req.request_id, 'deny', 'not in config files');
    expect(d.code, d.stderr).toBe(0);
    const r = await hook;
    expect(r.code, r.stderr).toBe(0);
    expect(decision(r.stdout)).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: 'denied by alice via Hermes: not in config files',
    });
  });

  it('nobody decides: deny at the hook deadline, and the request expires there too', async () => {
    const { job, token } = h.register();
    const env = await throughRelay(h.agentEnv(job, token));
    const started = Date.now();
    const r = await spawnHermes(['hook', 'claude', '--deadline', '3'], {
      env,
      stdin: fixture('pre-tool-use-bash.json'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(decision(r.stdout)).toMatchObject({
      permissionDecision: 'deny',
      // Whichever comes first: the hook's own deadline, or the bot expiring the request at the
      // expires_at the hook gave it (just before that deadline). Both are a deny.
      permissionDecisionReason: expect.stringMatching(/no decision within .*fail closed|hermes:expired/),
    });
    // Answered well before the 10 s a 3 s deadline would be installed under (timing slack is wide).
    expect(Date.now() - started).toBeLessThan(10_000);
    const req = permissionRequestsOf(h.bot!.db, job.id)[0]!;
    expect(Date.parse(req.expires_at!) - started).toBeLessThanOrEqual(3_000);
  });

  it('no environment, a dead runner socket, or garbage on stdin: deny', async () => {
    const noEnv = await spawnHermes(['hook', 'claude'], {
      env: {},
      stdin: fixture('pre-tool-use-bash.json'),
    });
    expect(noEnv.code).toBe(0);
    expect(decision(noEnv.stdout).permissionDecision).toBe('deny');
    const { job, token } = h.register();
    const { HERMES_MQTT_URL: _direct, ...env } = h.agentEnv(job, token);
    const dead = await spawnHermes(['hook', 'claude'], {
      env: { ...env, HERMES_RUNNER_SOCKET: join(home, 'nobody.sock') },
      stdin: fixture('pre-tool-use-bash.json'),
    });
    expect(dead.code).toBe(0);
    expect(dead.stdout.trim().split('\n')).toHaveLength(1);
    expect(decision(dead.stdout).permissionDecision).toBe('deny');
    const garbage = await spawnHermes(['hook', 'claude'], { env, stdin: '\u0000not json' });
    expect(garbage.code).toBe(0);
    expect(decision(garbage.stdout).permissionDecision).toBe('deny');
  });
});
