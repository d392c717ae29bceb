/**
 * JSON for people and for `--json` output, written from a lossless tree: numbers as Python
 * re-prints them (the lexemes the signature covers: `18446744073709551617`, `1.0`, `NaN`),
 * strings with their characters as they are (not `\uXXXX`), keys in the order they came.
 * Not for signing: canonical.ts is.
 */
import { pythonNumber } from './canonical.js';
import { JsonNumber, type JsonValue, parseLossless } from './lossless-json.js';

/** Compact when `indent` is 0, else pretty with that many spaces. */
export function displayJson(v: JsonValue, indent = 0, depth = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return pythonNumber(v);
  const pad = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
  const end = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
  const colon = indent > 0 ? ': ' : ':';
  const items = Array.isArray(v)
    ? v.map((x) => displayJson(x, indent, depth + 1))
    : [...v].map(([k, x]) => `${JSON.stringify(k)}${colon}${displayJson(x, indent, depth + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  return `${open}${pad}${items.join(`,${pad}`)}${end}${close}`;
}

/** Stored JSON text (a permission request's input) parsed losslessly, or undefined when it is not JSON. */
export function readStoredJson(text: string): JsonValue | undefined {
  try {
    return parseLossless(text, { maxDepth: 1000 });
  } catch {
    return undefined;
  }
}
