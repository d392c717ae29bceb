/**
 * `hermes hook claude` in-process, against a stand-in runner socket (the relay's wire, scripted):
 * fixtures parse, each hook event maps to what it should, PreToolUse answers allow / deny and
 * fails closed on timeout, missing environment and bad input.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { progressFor, run } from '../../../runner/hooks/claude-hook.js';
import { parseHookInput } from '../../../runner/hooks/hook-input.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { tempHome } from '../../helpers/cli.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'claude-hooks');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const TOKEN = 'hook-unit-token-0123456789abcdefghijklmnopqrs';
const JOB = 'j-hook01';

type Request = Record<string, unknown>;

/**
 * A runner socket that records requests; `decide` scripts the answer to await_decision (or holds
 * it). Publishes are taken and seqs handed out as the real relay does.
 */
function standInRunner(path: string, decide: (req: Request) => object | undefined) {
  const requests: Request[] = [];
  const held: Socket[] = [];
  let seq = 0;
  const server: Server = createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (c) => {
      buf += c;
      if (!buf.includes('\n')) return;
      const req = JSON.parse(buf.slice(0, buf.indexOf('\n'))) as Request;
      requests.push(req);
      const answer =
        req.op === 'publish' ? { ok: true } : req.op === 'next_seq' ? { ok: true, seq: ++seq } : decide(req);
      if (answer) sock.end(`${JSON.stringify(answer)}\n`);
      else held.push(sock);
    });
  });
  return {
    requests,
    listening: new Promise<void>((r) => server.listen(path, r)),
    close: () =>
      new Promise<void>((r) => {
        for (const s of held) s.destroy();
        server.close(() => r());
      }),
  };
}

function decisionWire(requestId: string, decision: 'approve' | 'deny', reason?: string): string {
  const env = fromPlain({
    schema_version: 1,
    job_id: JOB,
    seq: 1,
    event: 'decision',
    timestamp: new Date().toISOString(),
    data: { request_id: requestId, decision, decided_by: 'slack:U1', ...(reason ? { reason } : {}) },
  }) as JsonObject;
  return encodeWire(signEnvelope(env, TOKEN));
}

async function hook(stdin: string, env: Record<string, string>, args: string[] = []) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await run({
    args,
    env,
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout,
    stderr,
    clock: systemClock,
    random: systemRandom,
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-hook-'));
  writeFileSync(join(home, 'token'), TOKEN, { mode: 0o600 });
  env = {
    HERMES_HOME: home,
    HERMES_JOB_ID: JOB,
    HERMES_TOKEN_FILE: join(home, 'token'),
    HERMES_RUNNER_SOCKET: join(home, 'runner.sock'),
  };
});
afterEach(() => cleanup());

describe('hook input', () => {
  it('parses every fixture; unknown fields are ignored', () => {
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
      const input = parseHookInput(fixture(f));
      expect(input.hookEventName, f).toMatch(/^[A-Z][A-Za-z]+$/);
    }
    const withExtra = JSON.parse(fixture('pre-tool-use-bash.json'));
    withExtra.some_future_field = { nested: true };
    expect(parseHookInput(JSON.stringify(withExtra))).toMatchObject({
      hookEventName: 'PreToolUse',
      toolName: 'Bash',
      toolInput: { command: 'npm test -- --runInBand' },
    });
  });

  it('refuses what is not a hook input', () => {
    expect(() => parseHookInput('nope')).toThrow(/not JSON/);
    expect(() => parseHookInput('[]')).toThrow(/object/);
    expect(() => parseHookInput('{"hook_event_name":"PreToolUse"}')).toThrow(/tool_name/);
    expect(() =>
      parseHookInput('{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":"x"}'),
    ).toThrow(/tool_input/);
    expect(() => parseHookInput('{"hook_event_name":7}')).toThrow(/string/);
  });

  it('maps events to progress lines, without shell commands', () => {
    const p = (f: string) => progressFor(parseHookInput(fixture(f)));
    expect(p('notification-permission.json')).toBe('Claude: Claude needs your permission to use Bash');
    expect(p('post-tool-use-edit.json')).toBe('used Edit: /home/dev/work/demo/README.md');
    expect(p('session-start.json')).toBe('Claude Code session started (startup)');
    expect(p('stop.json')).toBe('agent finished its turn');
    const bash = JSON.parse(fixture('pre-tool-use-bash.json'));
    bash.hook_event_name = 'PostToolUse';
    expect(progressFor(parseHookInput(JSON.stringify(bash)))).toBe('used Bash: Run the test suite');
    expect(progressFor({ hookEventName: 'UserPromptSubmit' })).toBeUndefined();
  });
});

describe('hermes hook claude', () => {
  it('PreToolUse approved -> allow, with the request the approver sees', async () => {
    const runner = standInRunner(env.HERMES_RUNNER_SOCKET!, (req) => ({
      ok: true,
      wire: decisionWire(req.request_id as string, 'approve'),
    }));
    await runner.listening;
    try {
      const r = await hook(fixture('pre-tool-use-bash.json'), env);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `${JSON.stringify({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'allow',
            permissionDecisionReason: 'approved by slack:U1 via Hermes',
          },
        })}\n`,
      );
      const published = runner.requests.find((q) => q.op === 'publish')!;
      const wire = JSON.parse(published.wire as string);
      expect(wire).toMatchObject({
        event: 'permission_required',
        detail: 'Bash: npm test -- --runInBand (Run the test suite)',
        data: { tool: 'Bash', input: { command: 'npm test -- --runInBand', timeout: 120000 } },
      });
      // The request expires at the hook's deadline (570 s by default), not later.
      const expires = Date.parse(wire.data.expires_at) - Date.parse(wire.timestamp);
      expect(expires).toBeLessThanOrEqual(570_000);
      expect(expires).toBeGreaterThan(560_000);
    } finally {
      await runner.close();
    }
  });

  it('PreToolUse denied -> deny with the reason', async () => {
    const runner = standInRunner(env.HERMES_RUNNER_SOCKET!, (req) => ({
      ok: true,
      wire: decisionWire(req.request_id as string, 'deny', 'not on main'),
    }));
    await runner.listening;
    try {
      const r = await hook(fixture('pre-tool-use-write.json'), env);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).hookSpecificOutput).toEqual({
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'denied by slack:U1 via Hermes: not on main',
      });
    } finally {
      await runner.close();
    }
  });

  it('PreToolUse with a forged decision -> deny at the deadline, never allow', async () => {
    const runner = standInRunner(env.HERMES_RUNNER_SOCKET!, (req) => ({
      ok: true,
      wire: decisionWire(req.request_id as string, 'approve').replace(/[0-9a-f]{64}/, 'f'.repeat(64)),
    }));
    await runner.listening;
    try {
      const r = await hook(fixture('pre-tool-use-bash.json'), env, ['--deadline', '1']);
      expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    } finally {
      await runner.close();
    }
  });

  it('PreToolUse with nobody answering -> deny (fail closed) at its own deadline', async () => {
    const runner = standInRunner(env.HERMES_RUNNER_SOCKET!, () => undefined);
    await runner.listening;
    try {
      const started = Date.now();
      const r = await hook(fixture('pre-tool-use-bash.json'), env, ['--deadline', '1.5']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).hookSpecificOutput).toEqual({
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/no decision within 1(\.\d)? s.*fail closed/),
      });
      // The point of the deadline: the answer comes before Claude Code's timeout, never after.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await runner.close();
    }
  });

  // A dead runner socket is tested with the real process (test/integration/runner/claude-hook.test.ts).
  it('PreToolUse without the job environment or with bad input -> deny', async () => {
    const noEnv = await hook(fixture('pre-tool-use-bash.json'), {});
    expect(noEnv.code).toBe(0);
    expect(JSON.parse(noEnv.stdout).hookSpecificOutput.permissionDecisionReason).toMatch(/HERMES_JOB_ID/);
    const bad = await hook('{"hook_event_name":"PreToolUse"', env);
    expect(JSON.parse(bad.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    const badFlag = await hook(fixture('pre-tool-use-bash.json'), env, ['--deadline', '-3']);
    expect(badFlag.code).toBe(0);
    expect(JSON.parse(badFlag.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('Stop, SessionStart, PostToolUse, Notification publish progress and print nothing', async () => {
    const runner = standInRunner(env.HERMES_RUNNER_SOCKET!, () => undefined);
    await runner.listening;
    try {
      for (const f of [
        'stop.json',
        'session-start.json',
        'post-tool-use-edit.json',
        'notification-permission.json',
      ]) {
        const r = await hook(fixture(f), env);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout, f).toBe('');
      }
      const publishes = runner.requests.filter((q) => q.op === 'publish');
      const wires = publishes.map((q) => JSON.parse(q.wire as string));
      expect(wires.map((w) => [w.seq, w.event, w.data.hook])).toEqual([
        [1, 'progress', 'Stop'],
        [2, 'progress', 'SessionStart'],
        [3, 'progress', 'PostToolUse'],
        [4, 'progress', 'Notification'],
      ]);
      expect(wires[0].detail).toBe('agent finished its turn');
      expect(publishes.every((q) => q.topic === `hermes/jobs/${JOB}/events` && q.retain === false)).toBe(
        true,
      );
    } finally {
      await runner.close();
    }
  });

  it('a progress event that cannot be delivered exits 1 (shown, not blocking), never 2', async () => {
    const r = await hook(fixture('stop.json'), env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/could not report Stop/);
  });
});
