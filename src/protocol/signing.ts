/**
 * HMAC-SHA256 over the canonical form of an envelope without data.hmac_sig.
 * Keys (job tokens, runner keys) are used as their UTF-8 bytes, as Python's
 * `hmac.new(token.encode(), ...)` does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalize } from './canonical.js';
import type { JsonObject, JsonValue } from './lossless-json.js';

export const SIG_FIELD = 'hmac_sig';
const SIG_RE = /^[0-9a-f]{64}$/;

/** The exact text that is signed: the envelope with data.hmac_sig removed. */
export function signingInput(envelope: JsonObject): string {
  const data = envelope.get('data');
  if (!(data instanceof Map) || !data.has(SIG_FIELD)) return canonicalize(envelope);
  const stripped: JsonObject = new Map(envelope);
  const dataCopy: JsonObject = new Map(data);
  dataCopy.delete(SIG_FIELD);
  stripped.set('data', dataCopy);
  return canonicalize(stripped);
}

export function computeSignature(envelope: JsonObject, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(signingInput(envelope), 'utf8').digest('hex');
}

/** A copy of the envelope with data.hmac_sig set (data is created when absent). */
export function signEnvelope(envelope: JsonObject, key: string): JsonObject {
  const sig = computeSignature(envelope, key);
  const out: JsonObject = new Map(envelope);
  const data = envelope.get('data');
  const dataCopy: JsonObject = data instanceof Map ? new Map(data) : new Map();
  dataCopy.set(SIG_FIELD, sig);
  out.set('data', dataCopy);
  return out;
}

export function signatureOf(envelope: JsonValue): string | undefined {
  if (!(envelope instanceof Map)) return undefined;
  const data = envelope.get('data');
  if (!(data instanceof Map)) return undefined;
  const sig = data.get(SIG_FIELD);
  return typeof sig === 'string' ? sig : undefined;
}

/** True when data.hmac_sig is 64 lowercase hex and matches, compared in constant time. */
export function verifyEnvelope(envelope: JsonObject, key: string): boolean {
  return verifySignature(signingInput(envelope), signatureOf(envelope), key);
}

/** The same check for a caller that already holds the signing input (the relay reuses it). */
export function verifySignature(input: string, sig: string | undefined, key: string): boolean {
  if (sig === undefined || !SIG_RE.test(sig)) return false;
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(input, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(sig, 'hex'));
}
