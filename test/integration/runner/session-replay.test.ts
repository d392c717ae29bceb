/**
 * The recorded session (shared/fixtures/claude-hooks/session-trace.jsonl, 201 PreToolUse calls of
 * one bug fix) replayed through Hermes as Claude Code would run it: the built-in claude profile's
 * hooks installed into a temp git working copy (the real installer, the real `hermes hook claude`
 * binary), the job's policy file as the runner writes it (hardline, the bot's
 * `approvals.deny: ["Bash(rm -rf:*)"]`, the claude profile defaults), the in-process bot on a real
 * broker applying rules granted in chat, and the Claude Code stand-in (test/fakes/claude-code)
 * playing every call in order. A scripted person answers each chat request with the rule Hermes
 * proposes (`hermes jobs decide … approve --rule`), or a plain approve when none is offered.
 *
 * Events go through a runner's local relay socket, as in a job session (the direct path opened an
 * MQTT connection per trace: about 190 s; through the socket about 78 s on the shared machine).
 * Measured (2026-12-01): 16 chat requests answered by a person (goal <= 20; 201 before rules), 48 requests
 * decided by granted rules at the bot, 137 calls decided in the hook (137 traces at the bot), both
 * `rm -rf node_modules/.cache` calls denied without a person.
 *
 * Not a real runner process: the policy file and the hooks are written by the runner's own
 * functions, the relay is the runner's own, the agent environment is the one a job session gets.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJobPolicy } from '../../../runner/daemon/job-policy.js';
import { defaultHookInstallers } from '../../../runner/profiles/hook-installers.js';
import type { LocalRelay } from '../../../runner/relay/local-relay.js';
import { requestRules } from '../../../src/jobs/granted-rules.js';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { parseLossless, toPlain } from '../../../src/protocol/lossless-json.js';
import { ClaudeCodeStandIn } from '../../fakes/claude-code/hook-runner.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { HERMES_BIN, runHermes, tempHome } from '../../helpers/cli.js';
import { SHARED_DIR } from '../../helpers/vectors.js';
import { waitFor } from '../../helpers/wait.js';
import { relayAt, runnerBus } from './relay-support.js';

const TRACE = join(SHARED_DIR, 'fixtures', 'claude-hooks', 'session-trace.jsonl');

let broker: TestBroker;
let h: BotHarness;
let home: string;
let cleanup: () => void;
let bus: MqttBus;
let relay: LocalRelay;

beforeAll(async () => {
  broker = await startTestBroker();
  ({ home, cleanup } = tempHome('hermes-replay-'));
  h = botHarness(home, broker.url);
  await h.start();
  // The runner's side of a job session: its local relay socket and persistent connection.
  bus = await runnerBus(broker.url, 'replay');
  relay = await relayAt(home, bus, h.config.mqtt.topic_prefix);
});
afterAll(async () => {
  await relay?.close();
  await bus?.close();
  await h.stop();
  await broker.stop();
  cleanup();
});

describe('replay of a recorded Claude Code session', () => {
  it('asks a person at most 20 times for 201 calls, never allows a denied one, traces every auto decision', async () => {
    const cwd = join(home, 'work');
    mkdirSync(cwd);
    execFileSync('git', ['init', '-q', cwd]);
    const { job, token } = h.register();
    // As in a runner session: events go to the relay socket, no broker URL in the agent.
    const { HERMES_MQTT_URL: _direct, ...direct } = h.agentEnv(job, token);
    const env: Record<string, string> = { ...direct, HERMES_RUNNER_SOCKET: join(home, 'runner.sock') };
    const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;
    writeJobPolicy(
      { home: env.HERMES_HOME!, userHome: home, hardline: { add: [], remove: [] }, log: silent },
      job.id,
      { name: 'claude', hooks: 'claude' },
      { deny: ['Bash(rm -rf:*)'] },
      cwd,
    );
    await defaultHookInstallers(60).claude!.install({
      jobId: job.id,
      cwd,
      home: env.HERMES_HOME!,
      hermesCommand: HERMES_BIN,
    });
    const calls = readFileSync(TRACE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l.replaceAll('{cwd}', cwd)) as { tool_name: string } & Record<string, unknown>);
    expect(calls).toHaveLength(201);
    const cc = new ClaudeCodeStandIn(cwd, { PATH: process.env.PATH, HERMES_LOG_LEVEL: 'silent', ...env });

    // The person: answers every request that waits for a human, with the proposed rule if any.
    const answered = new Set<string>();
    let stop = false;
    const person = (async () => {
      while (!stop) {
        for (const req of permissionRequestsOf(h.bot!.db, job.id, 'pending')) {
          if (answered.has(req.request_id)) continue;
          answered.add(req.request_id);
          const rule = requestRules(h.bot!.db, job.id, req.request_id)?.proposed_rule;
          const args = ['jobs', 'decide', job.id, req.request_id, 'approve', '--by', 'alice'];
          const d = await runHermes([...args, ...(rule ? ['--rule', rule] : []), '--mqtt', broker.url], {
            env: { HERMES_HOME: h.home },
          });
          if (d.code !== 0) throw new Error(`decide failed: ${d.stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const verdicts: string[] = [];
    const deniedRm: string[] = [];
    for (const call of calls) {
      const r = await cc.preToolUse(call);
      verdicts.push(r.verdict);
      const command = (call.tool_input as { command?: string }).command ?? '';
      if (command.startsWith('rm -rf')) deniedRm.push(r.verdict);
    }
    stop = true;
    await person;

    const requests = permissionRequestsOf(h.bot!.db, job.id);
    const auto = eventsOf(h.bot!.db, job.id).filter(
      (e) => (toPlain(parseLossless(e.wire)) as { data?: { auto?: unknown } }).data?.auto !== undefined,
    );
    const hookAuto = verdicts.length - requests.length;
    console.log(
      `replay: ${calls.length} calls, ${answered.size} chat requests answered by a person, ` +
        `${requests.length - answered.size} requests decided by granted rules, ${hookAuto} decided in the hook, ` +
        `${auto.length} auto traces at the bot; verdicts: ${JSON.stringify(count(verdicts))}`,
    );
    expect(deniedRm).toEqual(['deny', 'deny']);
    expect(verdicts.filter((v) => v !== 'allow' && v !== 'deny')).toEqual([]);
    await waitFor(() => autoTraceCount(job.id) >= hookAuto, {
      timeoutMs: 15_000,
      message: 'a trace at the bot for every decision made in the hook',
    });
    expect(answered.size).toBeLessThanOrEqual(20);
  }, 240_000);
});

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function autoTraceCount(jobId: string): number {
  return eventsOf(h.bot!.db, jobId).filter(
    (e) => (toPlain(parseLossless(e.wire)) as { data?: { auto?: unknown } }).data?.auto !== undefined,
  ).length;
}
