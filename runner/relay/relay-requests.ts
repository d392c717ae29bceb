/**
 * What the relay accepts on its socket, checked before anything is stored or
 * forwarded. The runner does not need to verify an agent's signature (the bot
 * does), but it must never put garbage, another job's event or a topic
 * outside its prefix on the broker under its own connection.
 */
import { z } from 'zod';
import { HermesError, isHermesError } from '../../src/errors.js';
import { RULE_ORIGINS } from '../../src/policy/rule.js';
import { toPlain } from '../../src/protocol/lossless-json.js';
import { DecisionEnvelope, EventEnvelope, Id, isTerminalEvent, Seq } from '../../src/protocol/schemas.js';
import { verifyEnvelope } from '../../src/protocol/signing.js';
import { topics } from '../../src/protocol/topics.js';
import { decodeWire } from '../../src/protocol/wire.js';
import type { OutboxEntry } from './outbox.js';

/** Longest an agent may wait on one await_decision request (a day; `hermes ask` loops for longer). */
export const MAX_AWAIT_MS = 24 * 60 * 60 * 1000;

export const PublishRequest = z.object({
  op: z.literal('publish'),
  job_id: Id,
  seq: Seq,
  topic: z.string().max(1024),
  wire: z.string(),
  retain: z.boolean(),
});

export const AwaitDecisionRequest = z.object({
  op: z.literal('await_decision'),
  job_id: Id,
  request_id: Id,
  timeout_ms: z.number().int().positive().max(MAX_AWAIT_MS),
});

/**
 * A tool call the hook decided by static rules: the relay builds, signs and stores its trace
 * (src/protocol/auto-decision.ts) with the job's token and next seq, so the hook on the agent's
 * every call needs neither.
 */
export const AutoDecisionRequest = z.object({
  op: z.literal('auto_decision'),
  job_id: Id,
  hook: z.string().min(1).max(64),
  tool: z.string().min(1).max(256),
  decision: z.enum(['allow', 'deny']),
  rule: z.string().min(1).max(2048),
  origin: z.enum(RULE_ORIGINS),
  summary: z.string().max(4096),
});

/** The job's next seq, above what every publisher of the job used (`floor`: at least that). */
export const NextSeqRequest = z.object({
  op: z.literal('next_seq'),
  job_id: Id,
  floor: Seq.optional(),
});

export const RelayRequest = z.discriminatedUnion('op', [
  PublishRequest,
  AwaitDecisionRequest,
  AutoDecisionRequest,
  NextSeqRequest,
]);
export type RelayRequest = z.infer<typeof RelayRequest>;
export type AutoDecisionRequest = z.infer<typeof AutoDecisionRequest>;
export type PublishRequest = z.infer<typeof PublishRequest>;
export type AwaitDecisionRequest = z.infer<typeof AwaitDecisionRequest>;

/** A request line -> a typed request, or a HermesError whose message is safe to send back. */
export function parseRequest(line: string): RelayRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new HermesError('malformed', 'request is not JSON');
  }
  const r = RelayRequest.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'request';
    throw new HermesError('schema', `bad request: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

export interface PublishCheck {
  prefix: string;
  maxPayloadBytes: number;
  token: string | null | undefined;
}

/** The outbox entry for a publish request, or a HermesError naming what is wrong with it. */
export function checkPublish(req: PublishRequest, check: PublishCheck): OutboxEntry {
  const expected = topics.jobEvents(check.prefix, req.job_id);
  if (req.topic !== expected) throw new HermesError('schema', `topic must be ${expected}`);
  // A lone surrogate (legal in a JSON string escape) would be sent as U+FFFD, changing the bytes
  // the agent signed: refuse it here rather than forward a message that cannot verify.
  if (Buffer.from(req.wire, 'utf8').toString('utf8') !== req.wire)
    throw new HermesError('malformed', 'wire is not valid Unicode text');
  let tree: ReturnType<typeof decodeWire>;
  try {
    tree = decodeWire(req.wire, check.maxPayloadBytes);
  } catch (e) {
    throw isHermesError(e) ? e : new HermesError('malformed', 'wire is not valid JSON');
  }
  const parsed = EventEnvelope.safeParse(toPlain(tree));
  if (!parsed.success) throw new HermesError('schema', 'wire is not a v1 agent event envelope');
  const env = parsed.data;
  if (env.job_id !== req.job_id) throw new HermesError('schema', 'wire job_id differs from the request');
  if (env.seq !== req.seq) throw new HermesError('schema', 'wire seq differs from the request');
  // Only terminal events are retained (docs/protocol.md): a retained progress event would be
  // replayed to every new subscriber of the job for as long as the broker keeps it.
  if (req.retain !== isTerminalEvent(env.event)) {
    throw new HermesError('schema', `retain must be ${isTerminalEvent(env.event)} for a ${env.event} event`);
  }
  if (typeof check.token === 'string' && !verifyEnvelope(tree, check.token)) {
    throw new HermesError('bad_signature', 'event signature missing or wrong for this job');
  }
  return {
    jobId: req.job_id,
    seq: req.seq,
    event: env.event,
    topic: req.topic,
    wire: req.wire,
    retain: req.retain,
  };
}

/**
 * Whether a message on a decision topic may be handed to a waiting agent: a decision envelope for
 * that job and request, and, when the token is known, correctly signed. An empty payload (the
 * retained decision cleared when the job ended) is not a decision.
 */
export function decisionFits(
  payload: Buffer,
  expect: { jobId: string; requestId: string; token: string | null | undefined; maxBytes: number },
): boolean {
  if (payload.length === 0) return false;
  try {
    const tree = decodeWire(payload, expect.maxBytes);
    const r = DecisionEnvelope.safeParse(toPlain(tree));
    if (!r.success) return false;
    if (r.data.job_id !== expect.jobId || r.data.data.request_id !== expect.requestId) return false;
    return typeof expect.token === 'string' ? verifyEnvelope(tree, expect.token) : true;
  } catch {
    return false;
  }
}
