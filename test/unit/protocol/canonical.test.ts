import { describe, expect, it } from 'vitest';
import { canonicalize, compareCodePoints, pythonAsciiString } from '../../../src/protocol/canonical.js';
import { fromPlain, parseLossless, pythonFloatRepr } from '../../../src/protocol/lossless-json.js';

const canon = (text: string) => canonicalize(parseLossless(text));

describe('canonical form = Python json.dumps(sort_keys=True, separators=(",", ":"))', () => {
  it('escapes like ensure_ascii: short escapes, \\u00XX controls, DEL and non-ASCII as lowercase \\uXXXX', () => {
    expect(pythonAsciiString('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(pythonAsciiString('\n\r\t\b\f')).toBe('"\\n\\r\\t\\b\\f"');
    expect(pythonAsciiString('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\\u007f"');
    expect(pythonAsciiString('café Ω 中')).toBe('"caf\\u00e9 \\u03a9 \\u4e2d"');
    expect(pythonAsciiString('😀')).toBe('"\\ud83d\\ude00"');
    expect(pythonAsciiString('\u2028\ufeff')).toBe('"\\u2028\\ufeff"');
  });

  it('keeps a lone surrogate from the wire as Python does', () => {
    expect(canon('"\\ud800x"')).toBe('"\\ud800x"');
  });

  it('sorts keys by code point, not UTF-16 unit', () => {
    // U+FF61 is one unit above the surrogates used by U+1F600 when compared by unit, below it by code point
    expect(canon('{"😀":1,"｡":2,"a":3,"B":4}')).toBe('{"B":4,"a":3,"\\uff61":2,"\\ud83d\\ude00":1}');
    expect(compareCodePoints('\uff61', '😀')).toBeLessThan(0);
    expect(['😀', '\uff61'].sort()).toEqual(['😀', '\uff61']); // what a naive JS sort would do
  });

  it('keeps number lexemes Python writes, and normalises others as Python re-prints them', () => {
    expect(canon('[1.0,-0.0,1e-05,1e+16,0.1,123456789012345678901234567890,-0]')).toBe(
      '[1.0,-0.0,1e-05,1e+16,0.1,123456789012345678901234567890,0]',
    );
    expect(canon('[1.50,1E5,2e-7,1e400,0.000123]')).toBe('[1.5,100000.0,2e-07,Infinity,0.000123]');
  });

  it('formats floats like Python repr', () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'],
      [0.1, '0.1'],
      [1e16, '1e+16'],
      // biome-ignore lint/correctness/noPrecisionLoss: the test is about how a rounded double prints
      [1234567890123456.7, '1234567890123456.8'],
      [1e-4, '0.0001'],
      [1e-5, '1e-05'],
      [5e-324, '5e-324'],
      [-2.5e-10, '-2.5e-10'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-0, '-0.0'],
    ];
    for (const [n, s] of cases) expect(pythonFloatRepr(n)).toBe(s);
  });

  it('nests compactly and sorts at every level', () => {
    expect(canon('{ "b" : [ {"z":1, "a": null} ], "a": true }')).toBe('{"a":true,"b":[{"a":null,"z":1}]}');
  });

  it('builds the same form from plain data', () => {
    expect(canonicalize(fromPlain({ b: 1, a: [0.5, 'é', null, 2 ** 60] }))).toBe(
      '{"a":[0.5,"\\u00e9",null,1152921504606846976],"b":1}',
    );
  });
});
