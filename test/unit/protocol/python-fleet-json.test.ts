import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHermesError } from '../../../src/errors.js';
import { canonicalize } from '../../../src/protocol/canonical.js';
import { displayJson } from '../../../src/protocol/display-json.js';
import { inexactNumbers, refuseInexact } from '../../../src/protocol/exact-numbers.js';
import { type JsonNumber, parseLossless } from '../../../src/protocol/lossless-json.js';
import { EventEnvelope } from '../../../src/protocol/schemas.js';
import { signingInput, verifyEnvelope } from '../../../src/protocol/signing.js';
import { jobLevelOfEventsTopic } from '../../../src/protocol/topics.js';
import { decodeWire } from '../../../src/protocol/wire.js';
import type { SigningVector } from '../../helpers/vectors.js';

const vectors = (
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'fleet-signing-vectors.json'), 'utf8'),
  ) as { vectors: SigningVector[] }
).vectors;

describe('JSON as Python writes it', () => {
  it('reads NaN, Infinity and -Infinity as json.loads does and writes them back the same', () => {
    const v = parseLossless('{"a": NaN, "b": Infinity, "c": -Infinity, "d": [-Infinity, 1.0]}');
    expect(canonicalize(v)).toBe('{"a":NaN,"b":Infinity,"c":-Infinity,"d":[-Infinity,1.0]}');
    const b = (v as Map<string, JsonNumber>).get('b')!;
    expect(b.isInteger).toBe(false);
    expect(b.isNonFinite).toBe(true);
    expect(b.toNumber()).toBe(Number.POSITIVE_INFINITY);
  });

  it('still refuses the spellings Python refuses', () => {
    for (const bad of ['nan', 'inf', '-NaN', 'Infinityx', '+Infinity', '-inf']) {
      let code: string | undefined;
      try {
        parseLossless(bad);
      } catch (e) {
        code = isHermesError(e) ? e.code : 'other';
      }
      expect(code, bad).toBe('malformed');
    }
  });

  for (const v of vectors) {
    it(`vector: ${v.name}`, () => {
      const tree = decodeWire(v.wire);
      expect(signingInput(tree)).toBe(v.canonical);
      expect(verifyEnvelope(tree, v.token)).toBe(v.valid);
    });
  }

  it('accepts detail: null as no detail, and times with or without an offset', () => {
    const ok = (over: Record<string, unknown>) =>
      EventEnvelope.safeParse({
        schema_version: 1,
        job_id: 'job_42',
        seq: 1,
        event: 'progress',
        timestamp: '2026-06-21T10:00:00Z',
        data: {},
        ...over,
      });
    const nul = ok({ detail: null });
    expect(nul.success && nul.data.detail).toBeUndefined();
    expect(nul.success).toBe(true);
    for (const ts of [
      '2026-06-21T10:00:00',
      '2026-06-21T10:00:00.123456',
      '2026-06-21T10:00:00.123456+00:00',
    ])
      expect(ok({ timestamp: ts }).success, ts).toBe(true);
    expect(ok({ timestamp: '2026-06-21 10:00:00' }).success).toBe(false);
    expect(ok({ detail: 5 }).success).toBe(false);
  });
});

describe('numbers a sender refuses because Python would not write them back', () => {
  it('names overflow, underflow and lost digits; keeps what only changes spelling', () => {
    const tree = parseLossless(
      '{"huge": 1e400, "tiny": 1e-400, "big": 9007199254740993.0, "ok": [1.50, 1E5, 0.1, 2e-7, -0.0, 18446744073709551617, NaN]}',
    );
    expect(inexactNumbers(tree)).toEqual([
      'huge: 1e400 would be sent as Infinity',
      'tiny: 1e-400 would be sent as 0.0',
      'big: 9007199254740993.0 would be sent as 9007199254740992.0',
    ]);
    expect(() => refuseInexact('--data', parseLossless('{"a":[1e400]}'))).toThrow(
      /a\[0\]: 1e400 would be sent as Infinity/,
    );
    expect(() => refuseInexact('--data', parseLossless('{"a":1.0}'))).not.toThrow();
  });
});

describe('display JSON: the signed lexemes, readable characters', () => {
  it('shows 2**64+1 and 1.0 as signed, non-ASCII as it is, keys in their order', () => {
    const tree = parseLossless('{"z":18446744073709551617,"a":1.0,"s":"caf\\u00e9","n":NaN,"e":[],"o":{}}');
    expect(displayJson(tree)).toBe('{"z":18446744073709551617,"a":1.0,"s":"café","n":NaN,"e":[],"o":{}}');
    expect(displayJson(parseLossless('{"a":[1,{"b":2}]}'), 2)).toBe(
      '{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}',
    );
  });
});

describe('the job level of an events topic', () => {
  it('is returned as it is, valid or not, so the relay can refuse it', () => {
    expect(jobLevelOfEventsTopic('hermes', 'hermes/jobs/job_42/events')).toBe('job_42');
    expect(jobLevelOfEventsTopic('hermes', 'hermes/jobs/not valid/events')).toBe('not valid');
    expect(jobLevelOfEventsTopic('hermes', 'hermes/jobs//events')).toBe('');
    expect(jobLevelOfEventsTopic('hermes', 'hermes/jobs/events')).toBeUndefined();
    expect(jobLevelOfEventsTopic('hermes', 'other/jobs/x/events')).toBeUndefined();
  });
});
