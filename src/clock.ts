/** Time and randomness, injected so tests control them. */
import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Random {
  bytes(n: number): Buffer;
  /** Uniform in [0, 1), for jitter. */
  float(): number;
}
export const systemRandom: Random = { bytes: (n) => randomBytes(n), float: () => Math.random() };

export const isoTime = (ms: number): string => new Date(ms).toISOString();

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** `prefix-` + 10 base36 characters (about 51 bits). */
export function newId(prefix: string, random: Random = systemRandom): string {
  const b = random.bytes(10);
  let s = '';
  for (const x of b) s += ID_ALPHABET[x % 36];
  return `${prefix}-${s}`;
}

/** 32 random bytes, base64url: Python's secrets.token_urlsafe(32). */
export function newToken(random: Random = systemRandom): string {
  return random.bytes(32).toString('base64url');
}
