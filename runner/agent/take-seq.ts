/**
 * The seq of a new event of the job. Under a runner the runner's relay hands
 * it out (`next_seq`): it follows the job's topic, so the seq is above every
 * one the bot has accepted, also from a publisher that is not Hermes (the old
 * fleet's agent). Without a socket, or when the runner cannot answer (an
 * older runner, a restart), the job's claim files decide, which only Hermes
 * processes share: `--seq-from` is then the way past another publisher.
 */

import type { AgentEnv } from './agent-env.js';
import { askRunner } from './runner-socket-client.js';
import { allocateSeq, seqDir } from './seq-allocator.js';

/** Longest the runner may take to answer (it answers from one SQLite read and a file claim). */
const NEXT_SEQ_TIMEOUT_MS = 5_000;

/** How long to wait for the runner's `next_seq` answer within a publish deadline. */
export const nextSeqWaitMs = (deadlineMs: number): number =>
  Math.min(NEXT_SEQ_TIMEOUT_MS, Math.max(Math.min(1000, deadlineMs / 2), deadlineMs / 4));

export async function takeSeq(
  agent: AgentEnv,
  floor: number | undefined,
  opts: { signal?: AbortSignal; onFallback?: (why: string) => void; deadlineMs?: number },
): Promise<number> {
  if (agent.runnerSocket) {
    let why: string;
    try {
      const reply = await askRunner(
        agent.runnerSocket,
        { op: 'next_seq', job_id: agent.jobId, ...(floor === undefined ? {} : { floor }) },
        // A hung runner must leave the publish most of its deadline (it falls back the same way), but
        // a slow one needs time: a runner that answers after the client gave up has claimed a seq
        // nobody sends (a gap at the bot). A quarter of the deadline, at least 1 s (at most half).
        nextSeqWaitMs(opts.deadlineMs ?? Number.POSITIVE_INFINITY),
        opts.signal,
      );
      const seq = reply.seq;
      if (reply.ok && Number.isSafeInteger(seq) && seq! >= (floor ?? 1)) return seq!;
      why = reply.ok ? 'runner sent no usable seq' : `runner: ${reply.error ?? 'no reason given'}`;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      why = (e as Error).message;
    }
    opts.onFallback?.(`seq from this host's counter, not the runner's (${why})`);
  }
  return allocateSeq(seqDir(agent.home, agent.jobId), floor);
}
