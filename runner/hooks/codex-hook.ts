/**
 * `hermes hook codex [--deadline SECONDS]`: the command Codex runs for its hooks (installed into
 * `<cwd>/.codex/hooks.json` by install-codex.ts). Reads the hook JSON on stdin
 * (contract: shared/fixtures/codex-hooks beside the checkout, docs/agent-hooks.md).
 *
 * - PermissionRequest (Codex is about to ask for an approval): the job's static rules, then a
 *   person through Hermes, as for Claude (tool-decision.ts); answers `decision.behavior` allow or
 *   deny with a message, and deny on every failure, within --deadline.
 * - PreToolUse (Codex runs some calls without asking, and there it can only block): the static
 *   rules alone; a deny rule or a hardline deny answers deny, anything else prints nothing and
 *   the call goes on to Codex's own approval path (and so to PermissionRequest if Codex asks).
 *
 * What cannot be answered in the event's own format (input that is not a hook JSON of a known
 * event) exits 2 with the reason on stderr: a block for PreToolUse, and never an allow.
 */
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors.js';
import type { AgentIo } from '../agent/agent-io.js';
import { DEFAULT_DECISION_DEADLINE_SECONDS } from './claude-hook.js';
import { type HookInput, parseHookInput, readHookStdin } from './hook-input.js';
import { permissionOutput } from './pre-tool-use.js';
import { decideToolCall, failClosed, type ToolDecision } from './tool-decision.js';

const STDIN_TIMEOUT_MS = 10_000;
const EVENTS = new Set(['PermissionRequest', 'PreToolUse']);

export interface CodexPermissionOutput {
  hookSpecificOutput: {
    hookEventName: 'PermissionRequest';
    decision: { behavior: 'allow' | 'deny'; message: string };
  };
}

export const permissionRequestOutput = (d: ToolDecision): CodexPermissionOutput => ({
  hookSpecificOutput: {
    hookEventName: 'PermissionRequest',
    decision: { behavior: d.decision, message: d.reason },
  },
});

/** The answer in the format of `event` (a deny for PreToolUse is Claude's shape, which Codex reads). */
const outputFor = (event: string, d: ToolDecision): object =>
  event === 'PermissionRequest' ? permissionRequestOutput(d) : permissionOutput(d.decision, d.reason);

function deadlineSeconds(io: AgentIo): number {
  const { values } = parseArgs({ args: io.args, options: { deadline: { type: 'string' } }, strict: true });
  const n = Number(
    values.deadline ?? io.env.HERMES_HOOK_DEADLINE_SECONDS ?? DEFAULT_DECISION_DEADLINE_SECONDS,
  );
  if (!Number.isFinite(n) || n <= 0) throw new Error('--deadline must be a positive number of seconds');
  return n;
}

/** The event named in input that may not pass as a whole (to answer a bad input in its format). */
function eventOf(text: string): string | undefined {
  try {
    const v = JSON.parse(text) as { hook_event_name?: unknown };
    return typeof v?.hook_event_name === 'string' && EVENTS.has(v.hook_event_name)
      ? v.hook_event_name
      : undefined;
  } catch {
    return undefined;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reading the hook input took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function run(io: AgentIo): Promise<number> {
  return runCodexHook(io, io.clock.now());
}

/** `startedAt`: when the deadline starts counting (the process entry passes its own start). */
export async function runCodexHook(io: AgentIo, startedAt: number): Promise<number> {
  let text = '';
  let input: HookInput | undefined;
  let problem: string | undefined;
  try {
    text = await withTimeout(readHookStdin(io.stdin), STDIN_TIMEOUT_MS);
    input = parseHookInput(text);
    if (EVENTS.has(input.hookEventName) && !input.toolName)
      throw new Error(`${input.hookEventName} without tool_name`);
  } catch (e) {
    problem = `could not read the hook input (${describeError(e)})`;
  }
  let deadlineS = DEFAULT_DECISION_DEADLINE_SECONDS;
  try {
    deadlineS = deadlineSeconds(io);
  } catch (e) {
    problem ??= `hook misconfigured (${describeError(e)})`;
  }
  const event = input?.hookEventName ?? eventOf(text);
  if (problem !== undefined || input === undefined) {
    io.stderr.write(`hermes hook codex: ${problem}\n`);
    if (event === undefined) return 2;
    io.stdout.write(`${JSON.stringify(outputFor(event, failClosed(problem ?? 'no input')))}\n`);
    return 0;
  }
  if (!EVENTS.has(input.hookEventName)) return 0;
  const mode = input.hookEventName === 'PreToolUse' ? 'static' : 'ask';
  const decision = await decideToolCall(input, io, { startedAt, deadlineMs: deadlineS * 1000, mode });
  if (decision) io.stdout.write(`${JSON.stringify(outputFor(input.hookEventName, decision))}\n`);
  return 0;
}
