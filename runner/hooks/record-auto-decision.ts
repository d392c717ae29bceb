/**
 * The trace of a static decision, handed over before the hook answers. Under a runner it goes to
 * the runner's socket as an `auto_decision` request, which the runner signs and stores: nothing
 * here loads crypto, reads the token or claims a seq, on the agent's every tool call. Without a
 * runner, or when the runner cannot take it (it does not know the job's token, its socket is
 * gone), the hook signs and publishes the same event itself, as `hermes publish` would.
 */
import { PassThrough } from 'node:stream';
import { describeError } from '../../src/errors.js';
import { AUTO_DETAIL_MAX, type AutoDecision, autoDecisionEvent } from '../../src/protocol/auto-decision.js';
import type { AgentIo } from '../agent/agent-io.js';
import { askRunner } from '../agent/runner-socket-client.js';

/** Resolves to undefined once the trace is handed over, or to why it could not be. */
export async function recordAutoDecision(
  a: AutoDecision,
  io: AgentIo,
  deadlineMs: number,
): Promise<string | undefined> {
  const socket = io.env.HERMES_RUNNER_SOCKET;
  const jobId = io.env.HERMES_JOB_ID;
  let why = 'no runner socket';
  if (socket && jobId) {
    try {
      // The detail line holds at most AUTO_DETAIL_MAX characters: more would only be cut there.
      const request = {
        op: 'auto_decision' as const,
        job_id: jobId,
        ...a,
        summary: a.summary.slice(0, AUTO_DETAIL_MAX),
      };
      const reply = await askRunner(socket, request, deadlineMs, io.signal);
      if (reply.ok) return undefined;
      why = `the runner refused the trace: ${reply.error ?? 'no reason given'}`;
    } catch (e) {
      why = describeError(e);
    }
  }
  return publishItself(a, io, deadlineMs, why);
}

async function publishItself(
  a: AutoDecision,
  io: AgentIo,
  deadlineMs: number,
  before: string,
): Promise<string | undefined> {
  try {
    const publish = await import('../agent/publish-command.js');
    const { detail, data } = autoDecisionEvent(a);
    const sink = new PassThrough();
    sink.resume();
    const code = await publish.run({
      ...io,
      args: [
        '--event',
        'progress',
        '--detail',
        detail,
        '--data',
        JSON.stringify(data),
        '--deadline',
        (deadlineMs / 1000).toFixed(3),
      ],
      stdout: sink,
    });
    return code === 0 ? undefined : `${before}; publish exited ${code}`;
  } catch (e) {
    return `${before}; ${describeError(e)}`;
  }
}
