/** Building signed runner commands (bot -> runner) and checking runner messages (runner -> bot). */
import { type Clock, isoTime, type Random } from '../clock.js';
import { isHermesError } from '../errors.js';
import { fromPlain, type JsonObject, toPlain } from '../protocol/lossless-json.js';
import { type RunnerCommandName, RunnerResultEnvelope, RunnerStatusEnvelope } from '../protocol/schemas.js';
import { sealToken } from '../protocol/seal.js';
import { signEnvelope, verifyEnvelope } from '../protocol/signing.js';
import { topics } from '../protocol/topics.js';
import { decodeWire, encodeWire } from '../protocol/wire.js';

export interface CommandInput {
  runnerId: string;
  runnerKey: string;
  seq: number;
  command: RunnerCommandName;
  jobId: string;
  data: Record<string, unknown>;
  /** For `start`: the job token to seal (null for --no-auth jobs). */
  token?: string | null;
}

export function buildRunnerCommand(
  prefix: string,
  input: CommandInput,
  clock: Clock,
  random: Random,
): { topic: string; wire: string } {
  const data: Record<string, unknown> = { ...input.data };
  if (input.command === 'start') {
    data.auth = input.token ? 'token' : 'none';
    if (input.token) data.sealed_token = sealToken(input.token, input.runnerKey, input.jobId, random);
  }
  const env = fromPlain({
    schema_version: 1,
    job_id: input.jobId,
    runner_id: input.runnerId,
    seq: input.seq,
    event: input.command,
    timestamp: isoTime(clock.now()),
    data,
  }) as JsonObject;
  return {
    topic: topics.runnerCommands(prefix, input.runnerId),
    wire: encodeWire(signEnvelope(env, input.runnerKey)),
  };
}

export type RunnerMessage =
  | { kind: 'status'; value: RunnerStatusEnvelope }
  | { kind: 'result'; value: RunnerResultEnvelope }
  | { kind: 'invalid'; reason: string };

/** Parse and verify a status or result message with the runner's key. */
export function readRunnerMessage(
  payload: Buffer,
  runnerId: string,
  key: string,
  maxBytes: number,
): RunnerMessage {
  let tree: JsonObject;
  try {
    tree = decodeWire(payload, maxBytes);
  } catch (e) {
    return { kind: 'invalid', reason: isHermesError(e) ? `${e.code}: ${e.message}` : 'unreadable' };
  }
  const ev = tree.get('event');
  const schema = ev === 'status' ? RunnerStatusEnvelope : ev === 'result' ? RunnerResultEnvelope : undefined;
  if (!schema) return { kind: 'invalid', reason: `unexpected event ${JSON.stringify(ev)}` };
  const r = schema.safeParse(toPlain(tree));
  if (!r.success) return { kind: 'invalid', reason: `schema: ${r.error.issues[0]?.message ?? 'invalid'}` };
  if (r.data.runner_id !== runnerId)
    return { kind: 'invalid', reason: `runner_id ${r.data.runner_id} on ${runnerId}'s topic` };
  if (!verifyEnvelope(tree, key)) return { kind: 'invalid', reason: 'bad_signature' };
  return ev === 'status'
    ? { kind: 'status', value: r.data as RunnerStatusEnvelope }
    : { kind: 'result', value: r.data as RunnerResultEnvelope };
}
