import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonNumber, type JsonObject, type JsonValue } from '../../../src/protocol/lossless-json.js';
import { signEnvelope, signingInput, verifyEnvelope } from '../../../src/protocol/signing.js';
import { decodeWire, encodeWire } from '../../../src/protocol/wire.js';
import { prng } from '../../helpers/prng.js';
import { hasPython } from '../../helpers/system.js';

const SCRIPT = join(import.meta.dirname, '..', '..', 'fixtures', 'python_sign.py');
const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0080',
  'é',
  '€',
  '\u2028',
  '\ufeff',
  '\uffff',
  '\ue000',
  '😀',
  '𝄞',
  '中',
  '\u{10ffff}',
];
const NUMBERS = [
  '0',
  '-1',
  '1.0',
  '-0.0',
  '0.5',
  '1e-05',
  '1e+16',
  '1.7976931348623157e+308',
  '5e-324',
  '123456789012345678901234567890',
  '-98765432109876543210',
  '3.141592653589793',
  '100.25',
  '1e+22',
];

function generate(count: number, seed: number) {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const str = () => Array.from({ length: Math.floor(rnd() * 8) }, () => pick(ALPHABET)).join('');
  const value = (depth: number): JsonValue => {
    const k = Math.floor(rnd() * (depth < 4 ? 6 : 3));
    if (k === 0) return str();
    if (k === 1) return new JsonNumber(pick(NUMBERS));
    if (k === 2) return pick([true, false, null]);
    if (k === 3) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const m: JsonObject = new Map();
    for (let i = 0; i < Math.floor(rnd() * 4); i++) m.set(str(), value(depth + 1));
    return m;
  };
  return Array.from({ length: count }, (_, i) => {
    const token = Array.from({ length: 43 }, () => pick([...'abcXYZ0189-_'])).join('');
    const data: JsonObject = new Map();
    for (let j = 0; j < Math.floor(rnd() * 5); j++) data.set(`${str()}k`, value(0));
    const ev: JsonObject = new Map<string, JsonValue>([
      ['schema_version', new JsonNumber('1')],
      ['job_id', 'job-ts'],
      ['seq', new JsonNumber(String(i + 1))],
      ['event', 'progress'],
      ['timestamp', '2026-06-21T10:00:00Z'],
      ['detail', str()],
      ['data', data],
    ]);
    return { token, wire: encodeWire(signEnvelope(ev, token)) };
  });
}

describe.skipIf(!hasPython())('signing interoperates with Python json + hmac', () => {
  it('events signed here verify in Python, with the same canonical text', () => {
    const items = generate(400, 42);
    const r = spawnSync('python3', [SCRIPT, 'verify'], {
      input: items.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status, r.stderr.toString()).toBe(0);
    const results = r.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ok: boolean; canonical: string });
    expect(results).toHaveLength(items.length);
    results.forEach((res, i) => {
      expect(res.canonical).toBe(signingInput(decodeWire(items[i]!.wire)));
      expect(res.ok).toBe(true);
    });
  });

  it('events signed by Python verify here, and a flipped byte does not', () => {
    const r = spawnSync('python3', [SCRIPT, 'generate', '400', '7']);
    expect(r.status, r.stderr.toString()).toBe(0);
    const lines = r.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string; wire: string; canonical: string });
    expect(lines).toHaveLength(400);
    for (const { token, wire, canonical } of lines) {
      const tree = decodeWire(wire, 1 << 20);
      expect(signingInput(tree)).toBe(canonical);
      expect(verifyEnvelope(tree, token)).toBe(true);
      const tampered = decodeWire(wire.replace('"seq": ', '"seq": 9'), 1 << 20);
      expect(verifyEnvelope(tampered, token)).toBe(false);
    }
  });
});
