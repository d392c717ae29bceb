import { describe, expect, it } from 'vitest';
import { isHermesError } from '../../../src/errors.js';
import { type JsonNumber, parseLossless, toPlain } from '../../../src/protocol/lossless-json.js';
import { decodeWire } from '../../../src/protocol/wire.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isHermesError(e) ? e.code : 'other';
  }
  return undefined;
}

describe('lossless JSON parsing', () => {
  it('keeps numbers as their lexemes', () => {
    const v = parseLossless('{"a": 1.0, "b": 12345678901234567890, "c": -0.0}') as Map<string, JsonNumber>;
    expect(v.get('a')!.lexeme).toBe('1.0');
    expect(v.get('b')!.lexeme).toBe('12345678901234567890');
    expect(v.get('c')!.lexeme).toBe('-0.0');
  });

  it("refuses what strict JSON refuses (NaN and Infinity are Python's, see python-fleet-json.test.ts)", () => {
    for (const bad of [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      'nan',
      '{"a":inf}',
      '01',
      '1.',
      '.5',
      "{'a':1}",
      '"\u0001"',
      '"\\x"',
      '{"a":1} x',
      'tru',
    ]) {
      expect(
        code(() => parseLossless(bad)),
        bad,
      ).toBe('malformed');
    }
  });

  it('refuses duplicate keys (a signature must not depend on which one a parser keeps)', () => {
    expect(code(() => parseLossless('{"a":1,"a":2}'))).toBe('malformed');
  });

  it('refuses deep nesting without overflowing the stack', () => {
    expect(code(() => parseLossless(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBe('malformed');
    expect(code(() => parseLossless(`${'['.repeat(64)}${']'.repeat(64)}`))).toBeUndefined();
  });

  it('treats __proto__ as data', () => {
    const plain = toPlain(parseLossless('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wire decoding: size limit before parsing, strict UTF-8, objects only', () => {
    expect(code(() => decodeWire(Buffer.alloc(70_000, 0x20)))).toBe('too_large');
    expect(code(() => decodeWire(Buffer.from([0x7b, 0xff, 0x7d])))).toBe('malformed');
    expect(code(() => decodeWire(Buffer.from('[1]')))).toBe('malformed');
    expect(code(() => decodeWire(Buffer.from('\ufeff{}')))).toBe('malformed');
    expect(decodeWire(Buffer.from('{"a":"é"}'), 100).get('a')).toBe('é');
  });
});
