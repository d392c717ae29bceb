/**
 * The turns of one job under `hermes run`. Turn 1 runs the profile's argv.
 * When it ends well and the profile takes follow-ups by `resume` (and the
 * agent told its session id), the job goes idle: a `progress` event with
 * `data.state: "idle"` says so (with the final text), and the wrapper waits
 * for a follow-up in the job's mailbox (runner/followup-mailbox.ts). A reply
 * starts the next turn (`data.state: "running"`) with the resume argv and the
 * reply as its prompt; `done`, or no reply within the idle time, ends the job
 * `completed`. Every turn's end and the terminal event carry the summed usage.
 * An error exit, an agent-reported error or a passed budget ends it in `error`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HermesError } from '../../src/errors.js';
import { addUsage, formatUsd, tokensOf, type Usage, ZERO_USAGE } from '../../src/jobs/usage.js';
import { type FollowupMessage, takeFollowup } from '../followup-mailbox.js';
import { expandArgv } from '../profiles/expand-argv.js';
import type { Env } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { exitStatusOf, terminalEventFor } from './agent-outcome.js';
import { runTurn, type SpawnAgent, type TurnResult } from './agent-turn.js';
import type { AgentEvent } from './build-event.js';
import type { ConversationSettings } from './conversation-settings.js';
import { RunningTokens } from './running-tokens.js';

export interface ConversationInput {
  io: AgentIo;
  env: Env;
  argv: string[];
  name: string;
  home: string;
  jobId: string;
  settings: ConversationSettings;
  publish(event: AgentEvent, detail: string, data: Record<string, unknown>): Promise<void>;
  spawnAgent: SpawnAgent;
}

/** Longest agent text carried in an event (the bot cuts again to what chat shows). */
const RESULT_CHARS = 1500;
const SESSION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The next turn's argv: `{session_id}` from the agent's own output, the reply as `{prompt}`. */
export function resumeArgv(
  profile: string,
  template: readonly string[],
  sessionId: string,
  text: string,
): string[] {
  if (!SESSION_ID_RE.test(sessionId)) {
    throw new HermesError(
      'schema',
      `the agent reported a session id Hermes will not pass on: ${cut(sessionId, 40)}`,
    );
  }
  return expandArgv(profile, template, text).map((a, i) =>
    i === 0 ? a : a.replaceAll('{session_id}', () => sessionId),
  );
}

type Wait = { kind: 'message'; m: FollowupMessage } | { kind: 'timeout' } | { kind: 'aborted' };

async function waitForFollowup(c: ConversationInput): Promise<Wait> {
  const { settings, io } = c;
  const until = io.clock.now() + settings.idleMs;
  for (;;) {
    if (io.signal.aborted) return { kind: 'aborted' };
    const m = takeFollowup(c.home, c.jobId, (f) =>
      io.stderr.write(`hermes run: unreadable follow-up ${f} removed\n`),
    );
    if (m) return { kind: 'message', m };
    const left = until - io.clock.now();
    if (left <= 0) return { kind: 'timeout' };
    await sleep(Math.min(settings.pollMs, left), undefined, { signal: io.signal }).catch(() => undefined);
  }
}

export async function runConversation(c: ConversationInput): Promise<number> {
  const { settings, io, name } = c;
  const publish = async (event: AgentEvent, detail: string, data: Record<string, unknown>) => {
    try {
      await c.publish(event, detail, data);
    } catch (e) {
      // The agent still runs; the runner's reconcile reports a job that ends without a terminal event.
      io.stderr.write(`hermes run: could not publish ${event}: ${(e as Error).message}\n`);
    }
  };
  await publish(
    'started',
    `${name} started`,
    settings.followup !== 'none'
      ? { followup: settings.followup }
      : settings.followupReason
        ? { followup_reason: settings.followupReason }
        : {},
  );

  let total: Usage = { ...ZERO_USAGE };
  let sessionId: string | undefined;
  let argv = c.argv;
  const running = new RunningTokens({
    everyMs: settings.tokenUpdateMs,
    now: () => io.clock.now(),
    send: (detail, data) => publish('progress', detail, data),
  });
  for (let turn = 1; ; turn++) {
    running.begin(turn, tokensOf(total));
    const r: TurnResult = await runTurn(argv, c.env, {
      spawnAgent: c.spawnAgent,
      output: settings.output,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
      onTokens: (t) => running.update(t),
    });
    await running.settle();
    const report = r.report;
    if (report?.usage) total = addUsage(total, report.usage);
    sessionId = report?.sessionId ?? sessionId;
    const usageData: Record<string, unknown> = settings.readOutput
      ? {
          usage: total,
          ...(report?.usage ? { turn_usage: report.usage } : {}),
          ...(sessionId ? { session_id: sessionId } : {}),
        }
      : {};
    const end = endOfTurn(c, r, report?.isError === true, report?.subtype, report?.result, total);
    if (end.event === 'error') {
      if (r.outcome.kind === 'spawn_failed') io.stderr.write(`hermes run: ${end.detail}\n`);
      await publish('error', end.detail, { ...end.data, ...usageData });
      return end.status;
    }
    if (settings.followup !== 'resume' || !sessionId || !settings.resumeArgv) {
      await publish('completed', end.detail, { ...end.data, ...usageData });
      return 0;
    }
    const result = report?.result ? cut(report.result, RESULT_CHARS) : undefined;
    await publish('progress', `Turn ${turn} finished${result ? `: ${result}` : ''}`, {
      state: 'idle',
      turn,
      ...usageData,
      ...(result ? { result } : {}),
    });
    const w = await waitForFollowup(c);
    if (w.kind === 'aborted') {
      await publish('error', `${name} was stopped while waiting for a reply`, {
        exit_code: 143,
        ...usageData,
      });
      return 143;
    }
    if (w.kind === 'timeout' || w.m.kind === 'done') {
      const why =
        w.kind === 'timeout'
          ? `no reply within ${Math.round(settings.idleMs / 1000)} s`
          : `ended by ${w.m.by}`;
      await publish('completed', `${name} finished after ${turn} turn${turn === 1 ? '' : 's'} (${why})`, {
        exit_code: 0,
        ...usageData,
      });
      return 0;
    }
    try {
      argv = resumeArgv(io.env.HERMES_PROFILE || name, settings.resumeArgv, sessionId, w.m.text);
    } catch (e) {
      await publish('error', `follow-up not started: ${(e as Error).message}`, {
        exit_code: 1,
        ...usageData,
      });
      return 1;
    }
    await publish('progress', `Turn ${turn + 1}: ${cut(w.m.text, 300)}`, {
      state: 'running',
      turn: turn + 1,
      by: w.m.by,
    });
  }
}

/** A turn's end as an event: the exit status, what the agent reported, and the budget. */
function endOfTurn(
  c: ConversationInput,
  turn: TurnResult,
  reportedError: boolean,
  subtype: string | undefined,
  result: string | undefined,
  total: Usage,
): { event: 'completed' | 'error'; detail: string; data: Record<string, unknown>; status: number } {
  const outcome = turn.outcome;
  const t = terminalEventFor(c.argv[0]!, outcome, c.name, turn.lastErrorLine);
  if (t.event === 'error') return { ...t, status: exitStatusOf(outcome) };
  if (reportedError) {
    return {
      event: 'error',
      detail: `${c.name} reported an error (${subtype ?? 'is_error'})${result ? `: ${cut(result, 500)}` : ''}`,
      data: { exit_code: 0, agent_error: subtype ?? 'is_error' },
      status: 1,
    };
  }
  const max = c.settings.maxCostUsd;
  if (max !== undefined && total.cost_usd > max) {
    return {
      event: 'error',
      detail: `budget exceeded: this job cost ${formatUsd(total.cost_usd)}, its limit is ${formatUsd(max)}; not resumed`,
      data: { exit_code: 0, budget_exceeded: true, max_cost_usd: max },
      status: 1,
    };
  }
  return { ...t, detail: result ? cut(result, 500) : t.detail, status: 0 };
}
