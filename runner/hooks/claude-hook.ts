/**
 * `hermes hook claude [--deadline SECONDS] [--progress-deadline SECONDS]`: the command Claude Code
 * runs for its hooks (installed by install-claude.ts). Reads the hook JSON on stdin.
 *
 * - PreToolUse: asks a person through Hermes and prints Claude's permission decision; denies on a
 *   timeout or any failure (fail closed), within --deadline (set below the installed timeout).
 * - Notification, PostToolUse, SessionStart, Stop: a `progress` event.
 *
 * Stop is progress, not `completed`: Claude Code fires it at the end of every turn, and the session
 * may go on (a follow-up prompt, a resume). The job's terminal event comes from `hermes run` when
 * the agent process exits, with the exit status; a `completed` here would end the job at the bot
 * and make it drop everything the agent publishes afterwards.
 *
 * Never exits 2: for Stop that would keep Claude working, for PreToolUse it would bypass the JSON
 * answer. Progress failures exit 1 (Claude Code shows them and carries on).
 */
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors.js';
import type { AgentIo } from '../agent/agent-io.js';
import { type HookInput, parseHookInput, readHookStdin } from './hook-input.js';
import { decidePreToolUse, permissionOutput } from './pre-tool-use.js';
import { describeToolUse } from './tool-summary.js';

export const DEFAULT_DECISION_DEADLINE_SECONDS = 570;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 10;
/** Reading the hook's input is bounded too: a PreToolUse that never gets its input still answers. */
const STDIN_TIMEOUT_MS = 10_000;

interface HookFlags {
  deadlineS: number;
  progressDeadlineS: number;
}

function readFlags(io: AgentIo): HookFlags {
  const { values } = parseArgs({
    args: io.args,
    options: { deadline: { type: 'string' }, 'progress-deadline': { type: 'string' } },
    strict: true,
  });
  const num = (v: string | undefined, env: string | undefined, dflt: number, name: string) => {
    const n = Number(v ?? env ?? dflt);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number of seconds`);
    return n;
  };
  return {
    deadlineS: num(
      values.deadline,
      io.env.HERMES_HOOK_DEADLINE_SECONDS,
      DEFAULT_DECISION_DEADLINE_SECONDS,
      'deadline',
    ),
    progressDeadlineS: num(
      values['progress-deadline'],
      undefined,
      DEFAULT_PROGRESS_DEADLINE_SECONDS,
      'progress-deadline',
    ),
  };
}

/** The progress line for a hook event, or undefined for events Hermes does not report. */
export function progressFor(input: HookInput): string | undefined {
  switch (input.hookEventName) {
    case 'Notification':
      return `Claude: ${(input.message ?? input.notificationType ?? 'notification').slice(0, 500)}`;
    case 'PostToolUse':
      return describeToolUse(input.toolName ?? 'a tool', input.toolInput);
    case 'SessionStart':
      return `Claude Code session started (${input.source ?? 'startup'})`;
    case 'Stop':
      return 'agent finished its turn';
    default:
      return undefined;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function publishProgress(
  input: HookInput,
  detail: string,
  io: AgentIo,
  flags: HookFlags,
): Promise<number> {
  const publish = await import('../agent/publish-command.js');
  const data = JSON.stringify({
    hook: input.hookEventName,
    ...(input.toolName ? { tool: input.toolName } : {}),
  });
  const sink = { write: () => true } as unknown as AgentIo['stdout'];
  return publish.run({
    ...io,
    args: [
      '--event',
      'progress',
      '--detail',
      detail,
      '--data',
      data,
      '--deadline',
      String(flags.progressDeadlineS),
    ],
    stdout: sink,
  });
}

export function run(io: AgentIo): Promise<number> {
  return runHook(io, io.clock.now());
}

/**
 * `startedAt` is when the deadline starts counting; the process entry passes the process's own
 * start, since Claude Code's timeout runs from the spawn, Node's start-up included.
 */
export async function runHook(io: AgentIo, startedAt: number): Promise<number> {
  const writeDecision = (out: object) => io.stdout.write(`${JSON.stringify(out)}\n`);
  let flags: HookFlags;
  let input: HookInput;
  try {
    flags = readFlags(io);
  } catch (e) {
    // A broken install must not open the gate: answer deny as if this were a PreToolUse.
    // Exit 0: Claude Code reads the JSON answer only from a hook that exits 0.
    writeDecision(
      permissionOutput('deny', `Hermes hook misconfigured (${describeError(e)}); denied (fail closed)`),
    );
    io.stderr.write(`hermes hook claude: ${describeError(e)}\n`);
    return 0;
  }
  try {
    input = parseHookInput(
      await withTimeout(readHookStdin(io.stdin), STDIN_TIMEOUT_MS, 'reading the hook input'),
    );
  } catch (e) {
    writeDecision(
      permissionOutput(
        'deny',
        `Hermes could not read the hook input (${describeError(e)}); denied (fail closed)`,
      ),
    );
    io.stderr.write(`hermes hook claude: ${describeError(e)}\n`);
    return 0;
  }
  if (input.hookEventName === 'PreToolUse') {
    writeDecision(await decidePreToolUse(input, io, { startedAt, deadlineMs: flags.deadlineS * 1000 }));
    return 0;
  }
  const detail = progressFor(input);
  if (detail === undefined) return 0;
  try {
    return await publishProgress(input, detail, io, flags);
  } catch (e) {
    io.stderr.write(`hermes hook claude: could not report ${input.hookEventName} (${describeError(e)})\n`);
    return 1;
  }
}
