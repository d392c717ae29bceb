/**
 * Signature checks beyond the Python vectors: the wire form of hmac_sig is exactly 64 lowercase hex
 * characters, as Python's hexdigest() writes it, and anything else is refused, not normalised.
 */
import { describe, expect, it } from 'vitest';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import {
  computeSignature,
  SIG_FIELD,
  signEnvelope,
  signingInput,
  verifyEnvelope,
  verifySignature,
} from '../../../src/protocol/signing.js';

const KEY = 'job-token-0123456789abcdef';
const envelope = fromPlain({
  schema_version: 1,
  job_id: 'j-1',
  seq: 1,
  event: 'progress',
  timestamp: '2026-06-21T10:00:00Z',
  data: { note: 'caf\u00e9' },
}) as JsonObject;

/** The envelope with data.hmac_sig replaced by `sig`. */
function withSig(sig: unknown): JsonObject {
  const signed = signEnvelope(envelope, KEY);
  const data = new Map(signed.get('data') as JsonObject);
  data.set(SIG_FIELD, sig as string);
  const out = new Map(signed);
  out.set('data', data);
  return out;
}

describe('signature verification', () => {
  const good = computeSignature(envelope, KEY);

  it('accepts the right signature, 64 lowercase hex', () => {
    expect(good).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyEnvelope(signEnvelope(envelope, KEY), KEY)).toBe(true);
    expect(verifySignature(signingInput(envelope), good, KEY)).toBe(true);
  });

  it('refuses the right signature in uppercase hex', () => {
    expect(verifyEnvelope(withSig(good.toUpperCase()), KEY)).toBe(false);
    // Mixed case too: one letter is enough.
    const i = good.search(/[a-f]/);
    const mixed = `${good.slice(0, i)}${good[i]!.toUpperCase()}${good.slice(i + 1)}`;
    expect(verifyEnvelope(withSig(mixed), KEY)).toBe(false);
  });

  it('refuses a signature of the wrong length, even a prefix or an extension of the right one', () => {
    for (const sig of [good.slice(0, 63), good.slice(0, 32), `${good}0`, `${good}${good}`, ''])
      expect(verifyEnvelope(withSig(sig), KEY)).toBe(false);
  });

  it('refuses non-hex characters and non-string signatures without throwing', () => {
    for (const sig of [
      `${good.slice(0, 63)}g`,
      `${good.slice(0, 62)}  `,
      `0x${good.slice(2)}`,
      'z'.repeat(64),
    ])
      expect(verifyEnvelope(withSig(sig), KEY)).toBe(false);
    expect(verifyEnvelope(withSig(null), KEY)).toBe(false);
    expect(verifyEnvelope(envelope, KEY)).toBe(false); // no hmac_sig at all
  });

  it('refuses the right signature under another key', () => {
    expect(verifyEnvelope(signEnvelope(envelope, KEY), `${KEY}x`)).toBe(false);
  });
});
