/**
 * Numbers that Python would not write back as the value they were given: `1e400` becomes
 * `Infinity`, `1e-400` becomes `0.0`, `9007199254740993.0` becomes `9007199254740992.0`. What is
 * signed (and shown to an approver) is Python's re-print, so a sender refuses such a number
 * rather than sign a value its author did not write.
 */
import { HermesError } from '../errors.js';
import { pythonNumber } from './canonical.js';
import { JsonNumber, type JsonValue } from './lossless-json.js';

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal lexeme reduced to sign, significant digits and exponent, so equal values compare equal. */
function decimalKey(lexeme: string): string {
  const m = DECIMAL_RE.exec(lexeme);
  if (!m) return lexeme; // NaN, Infinity, -Infinity: compared as written
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (digits === '') return `${m[1]}0`;
  let exp = BigInt(m[4] ?? '0') - BigInt(fraction.length);
  const kept = digits.replace(/0+$/, '');
  exp += BigInt(digits.length - kept.length);
  digits = kept;
  return `${m[1]}${digits}e${exp}`;
}

/** True when Python's json re-prints this number with the same value (`1.50` -> `1.5` is fine). */
export function isExactInPython(n: JsonNumber): boolean {
  return n.isInteger || decimalKey(pythonNumber(n)) === decimalKey(n.lexeme);
}

/** Every number in the tree that would change value, as `path: lexeme -> re-print`. */
export function inexactNumbers(v: JsonValue, path = ''): string[] {
  if (v instanceof JsonNumber) {
    return isExactInPython(v)
      ? []
      : [`${path || '(value)'}: ${v.lexeme} would be sent as ${pythonNumber(v)}`];
  }
  if (Array.isArray(v)) return v.flatMap((x, i) => inexactNumbers(x, `${path}[${i}]`));
  if (v instanceof Map) return [...v].flatMap(([k, x]) => inexactNumbers(x, path ? `${path}.${k}` : k));
  return [];
}

/** Throws `usage` naming each number that would change, with what to write instead. */
export function refuseInexact(what: string, v: JsonValue): void {
  const bad = inexactNumbers(v);
  if (bad.length === 0) return;
  throw new HermesError('usage', `${what}: numbers that cannot be sent as written: ${bad.join('; ')}`, {
    hint: 'a float holds about 17 significant digits up to 1.8e308: send a longer number as a string, a whole one without "." or exponent',
  });
}
