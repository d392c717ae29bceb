/** Build and sign one agent event (the wire text and its topic). */
import { HermesError } from '../../src/errors.js';
import { refuseInexact } from '../../src/protocol/exact-numbers.js';
import {
  fromPlain,
  type JsonObject,
  type JsonValue,
  parseLossless,
} from '../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../src/protocol/signing.js';
import { topics } from '../../src/protocol/topics.js';
import { DEFAULT_MAX_WIRE_BYTES, encodeWire } from '../../src/protocol/wire.js';
import { checkEventData, checkWireSize } from './check-event.js';

export const AGENT_EVENTS = ['started', 'progress', 'permission_required', 'completed', 'error'] as const;
export type AgentEvent = (typeof AGENT_EVENTS)[number];

export interface BuiltEvent {
  topic: string;
  wire: string;
  seq: number;
  retain: boolean;
}

/** `--data` is parsed losslessly so `1.0` stays `1.0` on the wire and in the signature. */
export function parseDataFlag(text: string | undefined): JsonObject {
  if (text === undefined) return new Map();
  let v: JsonValue;
  try {
    v = parseLossless(text);
  } catch (e) {
    throw new HermesError('usage', `--data is not valid JSON: ${(e as Error).message}`);
  }
  if (!(v instanceof Map)) throw new HermesError('usage', '--data must be a JSON object');
  if (v.has('hmac_sig')) throw new HermesError('usage', '--data must not contain hmac_sig');
  refuseInexact('--data', v);
  return v;
}

export function buildEvent(input: {
  jobId: string;
  seq: number;
  event: AgentEvent;
  timestamp: string;
  detail?: string;
  data: JsonObject;
  token: string | null;
  prefix: string;
  /** The bot's size limit (relay.max_payload_bytes); 64 KiB unless told. */
  maxBytes?: number;
}): BuiltEvent {
  if (!(AGENT_EVENTS as readonly string[]).includes(input.event)) {
    throw new HermesError('usage', `--event must be one of ${AGENT_EVENTS.join(', ')}`);
  }
  // What the bot would drop is refused here, loudly, rather than published and lost.
  checkEventData(input.event, input.data);
  const env = fromPlain({
    schema_version: 1,
    job_id: input.jobId,
    seq: input.seq,
    event: input.event,
    timestamp: input.timestamp,
    ...(input.detail !== undefined ? { detail: input.detail } : {}),
  }) as JsonObject;
  env.set('data', input.data);
  const signed = input.token === null ? env : signEnvelope(env, input.token);
  const wire = encodeWire(signed);
  checkWireSize(wire, input.maxBytes ?? DEFAULT_MAX_WIRE_BYTES);
  return {
    topic: topics.jobEvents(input.prefix, input.jobId),
    wire,
    seq: input.seq,
    retain: input.event === 'completed' || input.event === 'error',
  };
}
