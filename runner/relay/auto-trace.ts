/**
 * The relay's side of `auto_decision`: the hook's static decision turned into the signed
 * `progress` event the bot audits, with the job's token and the job's next seq (the relay's
 * `next_seq`: claimed in the per-job allocator the agent's own commands use and above every seq
 * the runner saw from other publishers, so seqs never collide). The runner holds
 * the same token the agent does, so signing here grants no one anything new; it spares the hook
 * loading crypto, reading the token and claiming a seq on every tool call.
 */
import { type Clock, isoTime } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { autoDecisionEvent } from '../../src/protocol/auto-decision.js';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import { buildEvent } from '../agent/build-event.js';
import type { OutboxEntry } from './outbox.js';
import type { AutoDecisionRequest } from './relay-requests.js';

export interface AutoTraceContext {
  /** Claims the job's next seq (the relay's `next_seq`). */
  nextSeq: (jobId: string) => number;
  prefix: string;
  /** The job's token (null: a --no-auth job); undefined when the runner does not know it. */
  token: string | null | undefined;
  clock: Clock;
  maxPayloadBytes: number;
}

export function autoTraceEntry(req: AutoDecisionRequest, ctx: AutoTraceContext): OutboxEntry {
  if (ctx.token === undefined)
    throw new HermesError('env', 'the runner cannot sign for this job (its token is unknown here)');
  const { detail, data } = autoDecisionEvent(req);
  const built = buildEvent({
    jobId: req.job_id,
    seq: ctx.nextSeq(req.job_id),
    event: 'progress',
    timestamp: isoTime(ctx.clock.now()),
    detail,
    data: fromPlain(data) as JsonObject,
    token: ctx.token,
    prefix: ctx.prefix,
    maxBytes: ctx.maxPayloadBytes,
  });
  return {
    jobId: req.job_id,
    seq: built.seq,
    event: 'progress',
    topic: built.topic,
    wire: built.wire,
    retain: false,
  };
}
