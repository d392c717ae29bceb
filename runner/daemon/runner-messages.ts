/** Signed messages the runner sends the bot: status (retained, and the last will) and command results. */
import { type Clock, isoTime } from '../../src/clock.js';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import type { RunnerCommandName, StartPolicyData } from '../../src/protocol/schemas.js';
import { signEnvelope } from '../../src/protocol/signing.js';
import { topics } from '../../src/protocol/topics.js';
import { encodeWire } from '../../src/protocol/wire.js';

export interface RunnerSigner {
  prefix: string;
  runnerId: string;
  key: string;
  clock: Clock;
}

export interface OutgoingMessage {
  topic: string;
  wire: string;
}

function sign(s: RunnerSigner, jobId: string, seq: number, event: string, data: Record<string, unknown>) {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    runner_id: s.runnerId,
    seq,
    event,
    timestamp: isoTime(s.clock.now()),
    data,
  }) as JsonObject;
  return encodeWire(signEnvelope(env, s.key));
}

export function statusMessage(
  s: RunnerSigner,
  seq: number,
  state: 'online' | 'offline',
  profiles: readonly string[],
  /** Whether jobs may choose a working directory here (runner.cwd_roots set): the bot refuses --cwd at registration otherwise. */
  acceptsCwd?: boolean,
): OutgoingMessage {
  return {
    topic: topics.runnerStatus(s.prefix, s.runnerId),
    // For status, job_id is the runner id (docs/protocol.md).
    wire: sign(s, s.runnerId, seq, 'status', {
      state,
      profiles: [...profiles],
      ...(acceptsCwd === undefined ? {} : { accepts_cwd: acceptsCwd }),
    }),
  };
}

export interface ResultFields {
  command: RunnerCommandName;
  commandSeq: number;
  jobId: string;
  status: 'accepted' | 'rejected' | 'done';
  reason?: string;
  output?: string;
  requestId?: string;
  /** `job_end`: a result nobody asked for, the change report at a job's end (runner/worktrees/). */
  report?: 'job_end' | 'turn_end';
  /** With a report: the compare page of the pushed branch. */
  link?: string;
  /** diff: the unified diff (possibly cut to fit the message, see result-publisher.ts). */
  patch?: string;
  /** With `patch`: its whole size in bytes, before any cut. */
  patchBytes?: number;
  /** An accepted start of a hooked profile: the job's static rules (src/protocol/schemas.ts StartPolicyData). */
  policy?: StartPolicyData;
}

export function resultMessage(s: RunnerSigner, seq: number, r: ResultFields): OutgoingMessage {
  const data: Record<string, unknown> = { command: r.command, command_seq: r.commandSeq, status: r.status };
  if (r.reason !== undefined) data.reason = r.reason;
  if (r.output !== undefined) data.output = r.output;
  if (r.requestId !== undefined) data.request_id = r.requestId;
  if (r.report !== undefined) data.report = r.report;
  if (r.link !== undefined) data.link = r.link;
  if (r.patch !== undefined) data.patch = r.patch;
  if (r.patchBytes !== undefined) data.patch_bytes = r.patchBytes;
  if (r.policy !== undefined) data.policy = r.policy;
  return { topic: topics.runnerResults(s.prefix, s.runnerId), wire: sign(s, r.jobId, seq, 'result', data) };
}
