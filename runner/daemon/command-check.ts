/**
 * Checking a command from the bot before anything runs: size, JSON, schema,
 * addressed to this runner, signed with this runner's key, not from the
 * future, and a seq above the last one accepted (persisted in runner.db, so
 * neither a replay nor a restart runs a command twice). Checks that need no
 * secret come first, the signature before the seq, so a forgery cannot burn
 * a seq. A dropped command gets no answer (a forger learns nothing); the
 * reason goes to the runner's log.
 */
import type { Clock } from '../../src/clock.js';
import { isHermesError } from '../../src/errors.js';
import { type JsonObject, toPlain } from '../../src/protocol/lossless-json.js';
import { formatIssues, RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { verifyEnvelope } from '../../src/protocol/signing.js';
import { decodeWire } from '../../src/protocol/wire.js';

export type DropReason =
  | 'too_large'
  | 'malformed'
  | 'schema'
  | 'wrong_runner'
  | 'bad_signature'
  | 'future'
  | 'replay';

export type CommandCheck =
  | {
      ok: true;
      command: RunnerCommandEnvelope;
      /** How old the command is by its timestamp (ms; negative within the allowed skew). */
      ageMs: number;
    }
  | { ok: false; reason: DropReason; detail: string; jobId?: string; seq?: number };

export interface CommandSeqGate {
  lastCommandSeq(): number;
  acceptCommandSeq(seq: number): boolean;
}

export interface CheckOptions {
  runnerId: string;
  key: string;
  gate: CommandSeqGate;
  clock: Clock;
  maxBytes: number;
  /** Commands dated further ahead than this are dropped (a wrong clock or a forgery). */
  skewMs: number;
}

export function checkCommand(payload: Buffer, o: CheckOptions): CommandCheck {
  let tree: JsonObject;
  try {
    tree = decodeWire(payload, o.maxBytes);
  } catch (e) {
    const reason = isHermesError(e, 'too_large') ? 'too_large' : 'malformed';
    return { ok: false, reason, detail: (e as Error).message };
  }
  const parsed = RunnerCommandEnvelope.safeParse(toPlain(tree));
  if (!parsed.success) return { ok: false, reason: 'schema', detail: formatIssues(parsed.error) };
  const command = parsed.data;
  const ids = { jobId: command.job_id, seq: command.seq };
  if (command.runner_id !== o.runnerId) {
    return {
      ok: false,
      reason: 'wrong_runner',
      detail: `addressed to runner ${command.runner_id}, this is ${o.runnerId}`,
      ...ids,
    };
  }
  if (!verifyEnvelope(tree, o.key)) {
    return {
      ok: false,
      reason: 'bad_signature',
      detail: 'signature missing or not made with this runner key',
      ...ids,
    };
  }
  const ageMs = o.clock.now() - Date.parse(command.timestamp);
  if (ageMs < -o.skewMs) {
    return {
      ok: false,
      reason: 'future',
      detail: `timestamp ${command.timestamp} is ${Math.round(-ageMs / 1000)} s ahead of this runner's clock`,
      ...ids,
    };
  }
  if (!o.gate.acceptCommandSeq(command.seq)) {
    const last = o.gate.lastCommandSeq();
    return {
      ok: false,
      reason: 'replay',
      detail: `seq ${command.seq} is not above the last accepted seq ${last} (a replay, or the bot's runner table was reset: pair again with \`hermes runner init --force\`)`,
      ...ids,
    };
  }
  return { ok: true, command, ageMs };
}
