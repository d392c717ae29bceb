/**
 * PreToolUse: ask a person through Hermes (the code of `hermes ask`) and
 * turn the answer into Claude Code's permission decision.
 *
 * Fail closed. Claude Code treats a hook that crashes, exits oddly or runs
 * past its `timeout` as a non-blocking error, and the tool call goes ahead.
 * So this never throws and never outlives its own deadline (set below the
 * installed timeout): whatever goes wrong, it answers `deny` in time.
 */
import { PassThrough } from 'node:stream';
import { describeError } from '../../src/errors.js';
import type { AgentIo } from '../agent/agent-io.js';
import type { HookInput } from './hook-input.js';
import { boundedInputJson, describeToolCall } from './tool-summary.js';

export interface PermissionOutput {
  hookSpecificOutput: {
    hookEventName: 'PreToolUse';
    permissionDecision: 'allow' | 'deny';
    permissionDecisionReason: string;
  };
}

export const permissionOutput = (decision: 'allow' | 'deny', reason: string): PermissionOutput => ({
  hookSpecificOutput: {
    hookEventName: 'PreToolUse',
    permissionDecision: decision,
    permissionDecisionReason: reason,
  },
});

const failClosed = (why: string) => permissionOutput('deny', `Hermes: ${why}; denied (fail closed)`);

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** Leave `hermes ask` this much of the deadline to notice its own timeout before the watchdog fires. */
const ASK_MARGIN_MS = 500;

interface AskAnswer {
  decision?: string;
  decided_by?: string;
  reason?: string;
}

async function askThroughHermes(
  input: HookInput,
  io: AgentIo,
  deadlineAt: number,
): Promise<PermissionOutput> {
  const tool = input.toolName ?? 'unknown tool';
  const toolInput = input.toolInput ?? {};
  // Loaded here, not at the top: the progress hooks never need MQTT or zod.
  const ask = await import('../agent/ask-command.js');
  // After the import, which takes a while: the request's expires_at must not outlast the deadline.
  const askMs = deadlineAt - ASK_MARGIN_MS - io.clock.now();
  if (askMs <= 0) return failClosed('no time left to ask');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await ask.run({
    ...io,
    args: [
      '--tool',
      tool,
      '--input',
      boundedInputJson(tool, toolInput),
      '--reason',
      describeToolCall(tool, toolInput),
      '--timeout',
      (askMs / 1000).toFixed(3),
    ],
    stdout: out,
  });
  const answer = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as AskAnswer;
  const who = answer.decided_by ?? 'unknown';
  if (code === ask.ASK_EXIT.approve && answer.decision === 'approve')
    return permissionOutput('allow', `approved by ${who} via Hermes`);
  if (code === ask.ASK_EXIT.timeout) return failClosed(`no decision within ${seconds(askMs)}`);
  const reason = answer.reason ? `: ${answer.reason}` : '';
  return permissionOutput('deny', `denied by ${who} via Hermes${reason}`);
}

/**
 * The decision for one PreToolUse call, within `deadlineMs` of `startedAt`. Resolves, never rejects.
 */
export async function decidePreToolUse(
  input: HookInput,
  io: AgentIo,
  opts: { startedAt: number; deadlineMs: number },
): Promise<PermissionOutput> {
  const deadlineAt = opts.startedAt + opts.deadlineMs;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  io.signal.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<PermissionOutput>((resolve) => {
    timer = setTimeout(
      () => resolve(failClosed(`no decision within ${seconds(opts.deadlineMs)}`)),
      Math.max(0, deadlineAt - io.clock.now()),
    );
  });
  const asked = askThroughHermes(input, { ...io, signal: controller.signal }, deadlineAt).catch(
    (e: unknown) => failClosed(`could not get a decision (${describeError(e)})`),
  );
  try {
    return await Promise.race([asked, watchdog]);
  } finally {
    clearTimeout(timer);
    io.signal.removeEventListener('abort', onOuterAbort);
    // Stops a wait still running after the watchdog answered (its socket or MQTT connection).
    controller.abort();
  }
}
