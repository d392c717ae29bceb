/**
 * `hermes hook codex` as Codex runs it: a child process of the real binary, Codex's hook input on
 * stdin (shared/fixtures/codex-hooks), the job's policy file where the runner writes it, the
 * in-process bot on a real broker. No real Codex: this checks Hermes' side of the contract the
 * fixture README states, not that a given Codex version reads it that way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePrivateJobFile } from '../../../runner/job-files.js';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import { encodeJobPolicy, JOB_POLICY_FILE } from '../../../src/policy/job-policy-file.js';
import { jobPolicy } from '../../../src/policy/policy-set.js';
import { parseLossless, toPlain } from '../../../src/protocol/lossless-json.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { runHermes, spawnHermes, tempHome } from '../../helpers/cli.js';
import { SHARED_DIR } from '../../helpers/vectors.js';
import { waitFor } from '../../helpers/wait.js';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'codex-hooks');

let broker: TestBroker;
let h: BotHarness;
let home: string;
let cleanup: () => void;

beforeEach(async () => {
  broker = await startTestBroker();
  ({ home, cleanup } = tempHome('hermes-codex-it-'));
  h = botHarness(home, broker.url);
  await h.start();
});
afterEach(async () => {
  await h.stop();
  await broker.stop();
  cleanup();
});

/** A fixture input, with the event and command replaced where given. */
function input(file: string, over: { event?: string; command?: string } = {}): string {
  const v = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
  v.cwd = home;
  if (over.event) v.hook_event_name = over.event;
  if (over.command) v.tool_input.command = over.command;
  return JSON.stringify(v);
}

function job(rules: { deny?: string[]; allow?: string[] } = {}) {
  const { job, token } = h.register();
  const env = h.agentEnv(job, token);
  const policy = jobPolicy({ bot: rules, profile: {} });
  writePrivateJobFile(env.HERMES_HOME!, job.id, JOB_POLICY_FILE, encodeJobPolicy(job.id, policy, home, home));
  return { job, env };
}

const hook = (env: Record<string, string>, stdin: string) =>
  spawnHermes(['hook', 'codex', '--deadline', '20'], { env, stdin, timeoutMs: 30_000 });
const decision = (stdout: string) => {
  const out = JSON.parse(stdout).hookSpecificOutput;
  expect(out.hookEventName).toBe('PermissionRequest');
  return out.decision;
};
const autoTraces = (jobId: string) =>
  eventsOf(h.bot!.db, jobId).flatMap((e) => {
    const data = (toPlain(parseLossless(e.wire)) as { data?: { auto?: Record<string, unknown> } }).data;
    return data?.auto ? [data.auto] : [];
  });

describe('hermes hook codex: PermissionRequest', () => {
  it('what no rule decides is asked in chat; the approval answers behavior allow', async () => {
    const { job: j, env } = job();
    const pending = hook(env, input('permission-request-bash.json'));
    await waitFor(() => permissionRequestsOf(h.bot!.db, j.id, 'pending').length === 1, {
      timeoutMs: 15_000,
      message: 'the permission request at the bot',
    });
    const req = permissionRequestsOf(h.bot!.db, j.id, 'pending')[0]!;
    const ev = eventsOf(h.bot!.db, j.id).find((e) => e.event === 'permission_required')!;
    expect(toPlain(parseLossless(ev.wire))).toMatchObject({
      detail: 'Bash: npm test -- --runInBand (Run the test suite to check the fix)',
      data: { tool: 'Bash', input: { command: 'npm test -- --runInBand' }, policy: { decision: 'ask' } },
    });
    const d = await runHermes(
      ['jobs', 'decide', j.id, req.request_id, 'approve', '--by', 'alice', '--mqtt', broker.url],
      { env: { HERMES_HOME: h.home } },
    );
    expect(d.code, d.stderr).toBe(0);
    const r = await pending;
    expect(r.code, r.stderr).toBe(0);
    expect(decision(r.stdout)).toEqual({ behavior: 'allow', message: 'approved by alice via Hermes' });
  });

  it('a chat deny answers behavior deny with who and why', async () => {
    const { job: j, env } = job();
    const pending = hook(env, input('permission-request-network.json'));
    await waitFor(() => permissionRequestsOf(h.bot!.db, j.id, 'pending').length === 1, {
      timeoutMs: 15_000,
      message: 'the permission request at the bot',
    });
    const req = permissionRequestsOf(h.bot!.db, j.id, 'pending')[0]!;
    const d = await runHermes(
      [
        'jobs',
        'decide',
        j.id,
        req.request_id,
        'deny',
        '--reason',
        'no network',
        '--by',
        'bob',
        '--mqtt',
        broker.url,
      ],
      { env: { HERMES_HOME: h.home } },
    );
    expect(d.code, d.stderr).toBe(0);
    const out = decision((await pending).stdout);
    expect(out.behavior).toBe('deny');
    expect(out.message).toBe('denied by bob via Hermes: no network');
  });

  it('static rules answer at once, with the trace at the bot', async () => {
    const { job: j, env } = job({ allow: ['Bash(npm test:*)'] });
    const allowed = await hook(env, input('permission-request-bash.json'));
    expect(decision(allowed.stdout)).toEqual({
      behavior: 'allow',
      message: 'Hermes: allowed by Bash(npm test:*) (bot)',
    });
    const denied = await hook(env, input('permission-request-bash.json', { command: 'rm -rf ~' }));
    expect(decision(denied.stdout).behavior).toBe('deny');
    expect(decision(denied.stdout).message).toMatch(/hardline deny/);
    await waitFor(() => autoTraces(j.id).length === 2, { timeoutMs: 15_000, message: 'both traces' });
    expect(autoTraces(j.id).map((a) => a.decision)).toEqual(['allow', 'deny']);
    expect(permissionRequestsOf(h.bot!.db, j.id)).toEqual([]);
  });

  it('fails closed: no job environment, unreadable policy', async () => {
    const r = await hook({ HERMES_HOME: home }, input('permission-request-bash.json'));
    expect(r.code).toBe(0);
    expect(decision(r.stdout).behavior).toBe('deny');
    const { job: j, env } = job();
    writeFileSync(join(env.HERMES_HOME!, 'jobs', j.id, JOB_POLICY_FILE), 'not json');
    const bad = await hook(env, input('permission-request-bash.json'));
    expect(decision(bad.stdout)).toMatchObject({ behavior: 'deny' });
    expect(decision(bad.stdout).message).toMatch(/approval policy cannot be read.*fail closed/);
  });

  it('input it cannot read: a deny in the event format when the event is known, else exit 2', async () => {
    const { env } = job();
    const noTool = await hook(env, '{"hook_event_name": "PermissionRequest", "tool_input": {}}');
    expect(noTool.code).toBe(0);
    expect(decision(noTool.stdout).message).toMatch(/without tool_name.*fail closed/);
    const garbage = await hook(env, 'not json');
    expect(garbage).toMatchObject({ code: 2, stdout: '' });
    expect(garbage.stderr).toMatch(/hook input/);
  });
});

describe('hermes hook codex: PreToolUse (deny rules only)', () => {
  it('a deny rule blocks; an allowed or undecided call prints nothing', async () => {
    const { job: j, env } = job({ deny: ['Bash(git push:*)'], allow: ['Bash(npm test:*)'] });
    const pre = (command: string) =>
      hook(env, input('permission-request-bash.json', { event: 'PreToolUse', command }));
    const denied = await pre('git status && git push origin main');
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout).hookSpecificOutput).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: 'Hermes denied this call: deny rule Bash(git push:*) (bot)',
    });
    for (const command of ['npm test', 'make deploy']) {
      const r = await pre(command);
      expect(r, command).toMatchObject({ code: 0, stdout: '' });
    }
    await waitFor(() => autoTraces(j.id).length === 1, { timeoutMs: 15_000, message: 'the deny trace' });
    expect(permissionRequestsOf(h.bot!.db, j.id)).toEqual([]);
  });
});
