#!/usr/bin/env node
/**
 * EXAMPLE, NOT VERIFIED AGAINST A REAL CODEX. A Codex command hook that asks the chat through
 * `hermes ask` (Hermes has no `hermes hook codex`). Written from Codex's hooks documentation and
 * source (see docs/agent-hooks.md, "Codex"); test/unit/runner/codex-hook-example.test.ts checks
 * only what it prints for each `hermes ask` outcome, with a stand-in `hermes`, not Codex.
 *
 *   node hermes-codex-hook.mjs permission-request [--timeout SECONDS]
 *   node hermes-codex-hook.mjs pre-tool-use [--timeout SECONDS]
 *
 * Reads the hook JSON on stdin (tool_name, tool_input), runs
 * `hermes ask --tool T --input JSON --reason R --timeout S` (the job's environment, HERMES_JOB_ID
 * and the rest, must reach the hook; `hermes` must be on PATH, as the runner's sessions have it),
 * and prints one answer:
 *
 * - permission-request: approve -> {"decision":{"behavior":"allow"}}, anything else -> "deny"
 *   with the reason. (Codex: any deny among hooks wins; no output or a failed hook means no
 *   verdict, and Codex shows its own approval prompt.)
 * - pre-tool-use: approve -> no output (Codex does not support "allow" here; the call goes on to
 *   Codex's own approval policy), anything else -> permissionDecision "deny" with the reason.
 *   (Codex: a PreToolUse hook that fails or times out does NOT block.)
 *
 * Deny, timeout, a missing job environment, an unreachable runner or broker, bad input: all
 * answer deny (fail closed), within --timeout (default 570 s; keep it below the hook's `timeout`
 * in hooks.json, 600 s there). The tool input goes to `hermes ask` as an argument, so it is
 * visible in `ps` on this host while the hook waits.
 */
import { spawn } from 'node:child_process';

const MAX_INPUT_CHARS = 16 * 1024;
const STDIN_TIMEOUT_MS = 10_000;

function answer(mode, approved, reason) {
  if (mode === 'permission-request') {
    const decision = approved ? { behavior: 'allow' } : { behavior: 'deny', message: reason };
    return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } };
  }
  if (approved) return undefined;
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: reason,
    },
  };
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const timer = setTimeout(() => reject(new Error('no hook input on stdin')), STDIN_TIMEOUT_MS);
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('error', reject);
    process.stdin.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** One line a person can judge: the tool, and its description or command. */
function reasonFor(tool, input) {
  const text = typeof input?.description === 'string' ? input.description : input?.command;
  const first = typeof text === 'string' ? text.split('\n')[0].slice(0, 200) : '';
  return first ? `${tool}: ${first}` : `${tool} wants to run`;
}

function inputJson(input) {
  const json = JSON.stringify(input ?? {});
  if (json.length <= MAX_INPUT_CHARS) return json;
  return JSON.stringify({ _hermes_truncated: true, head: json.slice(0, MAX_INPUT_CHARS) });
}

/** Runs `hermes ask`; resolves with its exit code and stdout, killed at `timeoutS` + a margin. */
function ask(args, timeoutS) {
  return new Promise((resolve) => {
    const child = spawn('hermes', ['ask', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = [];
    const timer = setTimeout(() => child.kill('SIGTERM'), (timeoutS + 10) * 1000);
    child.stdout.on('data', (c) => out.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout: '', error: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== 'permission-request' && mode !== 'pre-tool-use') {
    // Exit 2 with the reason on stderr: a PreToolUse hook blocks; for PermissionRequest it is no verdict.
    process.stderr.write('usage: hermes-codex-hook.mjs permission-request|pre-tool-use [--timeout S]\n');
    process.exitCode = 2;
    return;
  }
  const deny = (why) => {
    const out = answer(mode, false, `${why}; denied (fail closed)`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  };
  try {
    const timeoutS = rest[0] === '--timeout' ? Number(rest[1]) : 570;
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error('--timeout must be a positive number');
    const hook = JSON.parse(await readStdin());
    const tool = typeof hook?.tool_name === 'string' && hook.tool_name ? hook.tool_name : 'unknown tool';
    const args = ['--tool', tool, '--input', inputJson(hook?.tool_input)];
    args.push('--reason', reasonFor(tool, hook?.tool_input), '--timeout', String(timeoutS));
    const r = await ask(args, timeoutS);
    let decision;
    try {
      decision = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    } catch {
      decision = undefined;
    }
    if (r.code === 0 && decision?.decision === 'approve') {
      const out = answer(mode, true);
      if (out) process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    if ((r.code === 1 || r.code === 3) && decision?.decision === 'deny') {
      const by = decision.decided_by ? ` by ${decision.decided_by}` : '';
      const why = decision.reason ? `: ${decision.reason}` : '';
      process.stdout.write(`${JSON.stringify(answer(mode, false, `denied${by} via Hermes${why}`))}\n`);
      return;
    }
    deny(`Hermes could not ask (hermes ask ${r.error ? `failed: ${r.error}` : `exited ${r.code}`})`);
  } catch (e) {
    deny(`Hermes hook failed (${e instanceof Error ? e.message : String(e)})`);
  }
}

main().catch((e) => {
  process.stderr.write(`hermes-codex-hook: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
