/**
 * Canonical form: byte-identical to Python's
 * `json.dumps(obj, sort_keys=True, separators=(",", ":"))` (ensure_ascii=True)
 * applied to what Python's `json.loads` makes of the same text.
 */
import { JsonNumber, type JsonValue, pythonFloatRepr } from './lossless-json.js';

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

/** Python's py_encode_basestring_ascii: printable ASCII stays, every other UTF-16 unit is \uXXXX. */
export function pythonAsciiString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    out += SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

/**
 * The number as Python re-prints it after json.loads: ints exactly (arbitrary
 * precision), floats as repr(float(lexeme)). For text that Python wrote this
 * is the lexeme itself; for other writers (`1.50`, `1E5`) it is what a Python
 * verifier computes, which is what byte compatibility means.
 */
export function pythonNumber(n: JsonNumber): string {
  if (n.isInteger) return BigInt(n.lexeme).toString();
  return pythonFloatRepr(Number(n.lexeme));
}

/** Python sorts str keys by code point; JS sorts by UTF-16 unit. They differ above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

export function canonicalize(v: JsonValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return pythonAsciiString(v);
  if (v instanceof JsonNumber) return pythonNumber(v);
  if (Array.isArray(v)) return `[${v.map(canonicalize).join(',')}]`;
  const keys = [...v.keys()].sort(compareCodePoints);
  return `{${keys.map((k) => `${pythonAsciiString(k)}:${canonicalize(v.get(k)!)}`).join(',')}}`;
}
