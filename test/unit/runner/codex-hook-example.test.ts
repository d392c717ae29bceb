/**
 * deploy/codex/hermes-codex-hook.mjs, the example Codex hook: what it prints for each outcome of
 * `hermes ask`, with a stand-in `hermes` on PATH. This checks the example's own logic and output
 * shapes (as docs/agent-hooks.md describes them); it does not run Codex, so it cannot say that
 * Codex reads them that way.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../helpers/cli.js';

const HOOK = join(import.meta.dirname, '..', '..', '..', 'deploy', 'codex', 'hermes-codex-hook.mjs');
const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'deploy', 'codex', 'hooks.json.example');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home: dir, cleanup } = tempHome('hermes-codex-hook-'));
  mkdirSync(join(dir, 'bin'));
});
afterEach(() => cleanup());

/** A `hermes` that records its argv (one per line) and answers like `hermes ask` would. */
function standIn(stdout: string, code: number): void {
  const file = join(dir, 'bin', 'hermes');
  writeFileSync(
    file,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${dir}/argv'\nprintf '%s\\n' '${stdout}'\nexit ${code}\n`,
  );
  chmodSync(file, 0o755);
}

function hook(mode: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOOK, mode, '--timeout', '30'], {
      env: { PATH: join(dir, 'bin') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(input);
  });
}

const BASH = JSON.stringify({
  hook_event_name: 'PermissionRequest',
  tool_name: 'Bash',
  tool_input: { command: 'npm test', description: 'Run the test suite' },
});
const approve = JSON.stringify({ request_id: 'r-1', decision: 'approve', decided_by: 'slack:U1' });
const deny = JSON.stringify({
  request_id: 'r-1',
  decision: 'deny',
  decided_by: 'alice',
  reason: 'not on main',
});
const timedOut = JSON.stringify({
  request_id: 'r-1',
  decision: 'deny',
  decided_by: 'hermes:timeout',
  reason: 'no decision before the timeout',
});

describe('example Codex hook (stand-in hermes, no Codex)', () => {
  it('asks with the tool, its input, a one-line reason and the timeout', async () => {
    standIn(approve, 0);
    await hook('permission-request', BASH);
    expect(readFileSync(join(dir, 'argv'), 'utf8').split('\n')).toEqual([
      'ask',
      '--tool',
      'Bash',
      '--input',
      '{"command":"npm test","description":"Run the test suite"}',
      '--reason',
      'Bash: Run the test suite',
      '--timeout',
      '30',
      '',
    ]);
  });

  it('PermissionRequest: approve -> allow', async () => {
    standIn(approve, 0);
    const r = await hook('permission-request', BASH);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
    });
  });

  it('PermissionRequest: deny -> deny with who and why', async () => {
    standIn(deny, 1);
    const r = await hook('permission-request', BASH);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PermissionRequest',
        decision: { behavior: 'deny', message: 'denied by alice via Hermes: not on main' },
      },
    });
  });

  it('PermissionRequest: timeout (exit 3) -> deny', async () => {
    standIn(timedOut, 3);
    const r = await hook('permission-request', BASH);
    expect(JSON.parse(r.stdout).hookSpecificOutput.decision).toEqual({
      behavior: 'deny',
      message: 'denied by hermes:timeout via Hermes: no decision before the timeout',
    });
  });

  it('PermissionRequest: hermes ask failing (no job environment) -> deny, fail closed', async () => {
    standIn('', 1);
    const r = await hook('permission-request', BASH);
    expect(JSON.parse(r.stdout).hookSpecificOutput.decision).toEqual({
      behavior: 'deny',
      message: 'Hermes could not ask (hermes ask exited 1); denied (fail closed)',
    });
  });

  it('PermissionRequest: no hermes on PATH -> deny, fail closed', async () => {
    const r = await hook('permission-request', BASH);
    expect(JSON.parse(r.stdout).hookSpecificOutput.decision.behavior).toBe('deny');
    expect(JSON.parse(r.stdout).hookSpecificOutput.decision.message).toMatch(/ENOENT.*fail closed/);
  });

  it('PreToolUse: approve -> no output (Codex does not take "allow" there)', async () => {
    standIn(approve, 0);
    const r = await hook('pre-tool-use', BASH.replace('PermissionRequest', 'PreToolUse'));
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('PreToolUse: deny -> permissionDecision deny with the reason', async () => {
    standIn(deny, 1);
    const r = await hook('pre-tool-use', BASH.replace('PermissionRequest', 'PreToolUse'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'denied by alice via Hermes: not on main',
      },
    });
  });

  it('PreToolUse: input that is not JSON -> deny', async () => {
    standIn(approve, 0);
    const r = await hook('pre-tool-use', 'not json');
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringContaining('fail closed'),
    });
  });

  it('an unknown mode exits 2 with the usage on stderr', async () => {
    const r = await hook('codex', BASH);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage/);
  });

  it('hooks.json.example calls this script for PreToolUse and PermissionRequest, inside the hook timeout', () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    for (const [event, mode] of [
      ['PreToolUse', 'pre-tool-use'],
      ['PermissionRequest', 'permission-request'],
    ] as const) {
      const h = example.hooks[event][0].hooks[0];
      expect(h.type).toBe('command');
      expect(h.command).toMatch(new RegExp(`hermes-codex-hook\\.mjs ${mode} --timeout (\\d+)$`));
      expect(Number(h.command.match(/--timeout (\d+)$/)[1])).toBeLessThan(h.timeout);
    }
  });
});
