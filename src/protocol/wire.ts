/** Bytes on the wire <-> lossless trees, with the size limit applied before any parsing. */
import { HermesError } from '../errors.js';
import { canonicalize } from './canonical.js';
import { type JsonObject, type JsonValue, parseLossless } from './lossless-json.js';

export const DEFAULT_MAX_WIRE_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeWire(payload: Uint8Array | string, maxBytes = DEFAULT_MAX_WIRE_BYTES): JsonObject {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  if (size > maxBytes) throw new HermesError('too_large', `payload of ${size} bytes exceeds ${maxBytes}`);
  let text: string;
  if (typeof payload === 'string') text = payload;
  else {
    try {
      text = utf8.decode(payload);
    } catch (cause) {
      throw new HermesError('malformed', 'payload is not valid UTF-8', { cause });
    }
  }
  const tree: JsonValue = parseLossless(text);
  if (!(tree instanceof Map)) throw new HermesError('malformed', 'payload is not a JSON object');
  return tree;
}

/** What we put on the wire: the canonical form itself (compact, sorted, ASCII). */
export function encodeWire(envelope: JsonObject): string {
  return canonicalize(envelope);
}
