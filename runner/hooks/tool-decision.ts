/**
 * One tool call's approval, whatever agent asks: the job's static rules first (policy-gate.ts:
 * allow or deny at once, with a signed trace for the bot), then a person through Hermes (the code
 * of `hermes ask`) for what no rule decides. Each agent's hook turns the answer into its own
 * output format (pre-tool-use.ts for Claude Code, codex-hook.ts for Codex).
 *
 * Fail closed. The agents treat a hook that crashes, exits oddly or runs past its `timeout` as
 * "no verdict" (Claude Code: the call goes ahead). So this never throws and never outlives its own
 * deadline (set below the installed timeout): whatever goes wrong, it answers `deny` in time.
 */
import { PassThrough } from 'node:stream';
import { describeError } from '../../src/errors.js';
import type { Verdict } from '../../src/policy/evaluate.js';
import type { AgentIo } from '../agent/agent-io.js';
import type { HookInput } from './hook-input.js';
import { recordAutoDecision } from './record-auto-decision.js';
import { boundedInputJson, describeToolCall } from './tool-summary.js';

export interface ToolDecision {
  decision: 'allow' | 'deny';
  /** One line for the agent (Claude is shown a deny's reason). */
  reason: string;
  /** Decided by the static rules, without a person. */
  auto?: boolean;
}

export interface DecideOptions {
  /** When the deadline starts counting (the hook process's start). */
  startedAt: number;
  deadlineMs: number;
  /**
   * `static`: only the static rules answer; what they leave open is not asked (undefined answer):
   * a hook that can only block (Codex's PreToolUse) says nothing then.
   */
  mode?: 'ask' | 'static';
}

export const failClosed = (why: string): ToolDecision => ({
  decision: 'deny',
  reason: `Hermes: ${why}; denied (fail closed)`,
});

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** Leave `hermes ask` this much of the deadline to notice its own timeout before the watchdog fires. */
const ASK_MARGIN_MS = 500;

interface AskAnswer {
  decision?: string;
  decided_by?: string;
  reason?: string;
}

/** Longest the trace of an automatic decision may take to reach the runner (or the broker). */
const TRACE_DEADLINE_MS = 10_000;

/**
 * An automatic decision still leaves a trace (record-auto-decision.ts), audited by the bot and
 * counted in the thread. An allow whose trace cannot be handed over is not given (the bot would
 * never know of it): deny instead.
 */
async function answerStatically(
  verdict: Verdict & { decision: 'allow' | 'deny' },
  input: HookInput,
  io: AgentIo,
  deadlineAt: number,
): Promise<ToolDecision> {
  const tool = input.toolName ?? 'unknown tool';
  const rule = verdict.by.map((b) => b.name).join(', ');
  const origin = verdict.by[0]?.origin ?? 'hardline';
  const deadlineMs = Math.min(TRACE_DEADLINE_MS, deadlineAt - ASK_MARGIN_MS - io.clock.now());
  const notRecorded =
    deadlineMs > 0
      ? await recordAutoDecision(
          {
            hook: input.hookEventName,
            tool,
            decision: verdict.decision,
            rule,
            origin,
            summary: describeToolCall(tool, input.toolInput ?? {}),
          },
          io,
          deadlineMs,
        )
      : 'no time left';
  if (verdict.decision === 'deny')
    return { decision: 'deny', reason: `Hermes denied this call: ${verdict.reason}`, auto: true };
  if (notRecorded !== undefined)
    return failClosed(`the automatic approval could not be recorded (${notRecorded})`);
  return { decision: 'allow', reason: `Hermes: allowed by ${rule} (${origin})`, auto: true };
}

/** The static rules first (no network), then a person for what they leave open. */
async function decide(
  input: HookInput,
  io: AgentIo,
  deadlineAt: number,
  mode: 'ask' | 'static',
): Promise<ToolDecision | undefined> {
  const tool = input.toolName ?? 'unknown tool';
  const toolInput = input.toolInput ?? {};
  // Loaded here: the progress hooks never need the policy code.
  const { askPolicyData, policyGate } = await import('./policy-gate.js');
  const gate = policyGate(tool, toolInput, io.env, input.cwd);
  if (gate.kind === 'fault') return failClosed(gate.why);
  if (gate.kind === 'decided') {
    // A hook that can only block leaves an allow to the agent's own approval path: no trace then.
    if (mode === 'static' && gate.verdict.decision === 'allow') return undefined;
    return answerStatically(gate.verdict, input, io, deadlineAt);
  }
  if (mode === 'static') return undefined;
  return askThroughHermes(input, io, deadlineAt, askPolicyData(gate.verdict, gate.cwd));
}

async function askThroughHermes(
  input: HookInput,
  io: AgentIo,
  deadlineAt: number,
  policy: Record<string, unknown>,
): Promise<ToolDecision> {
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
      '--policy',
      JSON.stringify(policy),
    ],
    stdout: out,
  });
  const answer = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as AskAnswer;
  const who = answer.decided_by ?? 'unknown';
  if (code === ask.ASK_EXIT.approve && answer.decision === 'approve')
    return { decision: 'allow', reason: `approved by ${who} via Hermes` };
  if (code === ask.ASK_EXIT.timeout) return failClosed(`no decision within ${seconds(askMs)}`);
  // Sent but not acknowledged, and no decision came: nobody decided, so say that, not "denied by".
  if (code === ask.ASK_EXIT.unknown)
    return failClosed('the request may not have reached Hermes (its delivery is unconfirmed)');
  const reason = answer.reason ? `: ${answer.reason}` : '';
  return { decision: 'deny', reason: `denied by ${who} via Hermes${reason}` };
}

/**
 * The decision for one tool call, within `deadlineMs` of `startedAt`. Resolves, never rejects;
 * undefined only in `static` mode, for a call the static rules do not deny.
 */
export async function decideToolCall(
  input: HookInput,
  io: AgentIo,
  opts: DecideOptions,
): Promise<ToolDecision | undefined> {
  const deadlineAt = opts.startedAt + opts.deadlineMs;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  io.signal.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<ToolDecision>((resolve) => {
    timer = setTimeout(
      () => resolve(failClosed(`no decision within ${seconds(opts.deadlineMs)}`)),
      Math.max(0, deadlineAt - io.clock.now()),
    );
  });
  const asked = decide(input, { ...io, signal: controller.signal }, deadlineAt, opts.mode ?? 'ask').catch(
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
