/** Time and randomness, injected so tests control them. */

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Random {
  bytes(n: number): Buffer;
  /** Uniform in [0, 1), for jitter. */
  float(): number;
}
/**
 * The platform's CSPRNG through Web Crypto's global `crypto` (the same source as node:crypto's
 * randomBytes): it is loaded on first use, where importing node:crypto here would load all of
 * it into every process that reads the clock, the approval hook on each tool call included.
 * getRandomValues gives at most 65536 bytes per call; ids and tokens take 32 at most.
 */
export const systemRandom: Random = {
  bytes: (n) => {
    const b = Buffer.alloc(n);
    for (let at = 0; at < n; at += 65536)
      globalThis.crypto.getRandomValues(b.subarray(at, Math.min(n, at + 65536)));
    return b;
  },
  float: () => Math.random(),
};

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
