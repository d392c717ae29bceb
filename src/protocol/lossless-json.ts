/**
 * A strict, lossless JSON reader and a tree model for signing.
 *
 * Why not JSON.parse: signatures are computed over Python's re-serialisation of
 * the parsed event, and a JS double cannot hold `1.0`, `-0.0` or integers above
 * 2^53 the way Python's int/float do. Numbers therefore keep their lexeme.
 * Objects are Maps so that keys like `__proto__` are plain data.
 *
 * `NaN`, `Infinity` and `-Infinity` are read as Python's `json.loads` reads them: Python's
 * `json.dumps` writes them by default (allow_nan=True), so the fleet sends them, and they keep
 * their lexeme (canonical.ts writes them back exactly as Python does).
 */
import { HermesError } from '../errors.js';

/** Python's json module's spellings, longest first so `-Infinity` is not read as `-` then junk. */
const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'];

export class JsonNumber {
  constructor(readonly lexeme: string) {}
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.lexeme);
  }
  /** NaN, Infinity or -Infinity: valid for Python's json, not for RFC 8259. */
  get isNonFinite(): boolean {
    return NON_FINITE.includes(this.lexeme);
  }
  toNumber(): number {
    return Number(this.lexeme);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface ParseOptions {
  /** Arrays and objects nested deeper than this are refused (stack safety). */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function fail(message: string, at: number): never {
  throw new HermesError('malformed', `${message} at offset ${at}`);
}

/**
 * Parse JSON as Python's json.loads does: RFC 8259 plus NaN, Infinity and -Infinity.
 * Duplicate keys and trailing data are refused.
 */
export function parseLossless(text: string, options: ParseOptions = {}): JsonValue {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  let i = 0;

  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };

  const parseString = (): string => {
    // caller guarantees text[i] === '"'
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', i);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape', i);
          // Lone surrogates are kept as code units, exactly as Python keeps them.
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          fail('bad escape', i);
      }
      i += 2;
      start = i;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    skipWs();
    const c = text[i];
    if (c === '{') {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`, i);
      i++;
      const obj: JsonObject = new Map();
      skipWs();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail('expected object key', i);
        const keyAt = i;
        const key = parseString();
        if (obj.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        skipWs();
        if (text[i] !== ':') fail("expected ':'", i);
        i++;
        obj.set(key, parseValue(depth + 1));
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'", i);
      }
    }
    if (c === '[') {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`, i);
      i++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'", i);
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    for (const word of NON_FINITE) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return new JsonNumber(word);
      }
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m && m[0].length > 0) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail('unexpected token', i);
  };

  const value = parseValue(0);
  skipWs();
  if (i !== text.length) fail('trailing data', i);
  return value;
}

/** Plain JS view of a tree, for schema validation and display. Numbers become doubles. */
export function toPlain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return v.toNumber();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v) {
      Object.defineProperty(out, k, {
        value: toPlain(val),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

/** Build a tree from plain JS data (what our own code signs). */
export function fromPlain(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new HermesError('malformed', `cannot encode ${v} in JSON`);
    return new JsonNumber(pythonNumberLexeme(v));
  }
  if (typeof v === 'bigint') return new JsonNumber(v.toString());
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v instanceof Map) {
    const m: JsonObject = new Map();
    for (const [k, val] of v) m.set(String(k), fromPlain(val));
    return m;
  }
  if (typeof v === 'object') {
    const m: JsonObject = new Map();
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (val !== undefined) m.set(k, fromPlain(val));
    }
    return m;
  }
  throw new HermesError('malformed', `cannot encode a ${typeof v} in JSON`);
}

/** A JS number as Python would print it: integers bare, other values via float repr. */
export function pythonNumberLexeme(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) return BigInt(n).toString();
  return pythonFloatRepr(n);
}

/** Python's repr(float): shortest round-trip digits, `1.0`, `1e-05`, `1e+16`. */
export function pythonFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, expStr] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

export function getPath(v: JsonValue, ...path: string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const p of path) {
    if (!(cur instanceof Map)) return undefined;
    cur = cur.get(p);
  }
  return cur;
}
