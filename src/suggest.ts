/**
 * "Did you mean …": the closest known word to a typo, by edit distance (Damerau: a swap of two
 * neighbours counts once, the commonest slip on a keyboard). Used by the CLI and chat for
 * unknown commands, subcommands, options and runner ids.
 *
 * @example
 * closest('regster', ['register', 'list']) // 'register'
 * closest('zzz', ['register', 'list'])     // undefined
 */

/** Edits (insert, delete, substitute, swap neighbours) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word nearest to `typed`, if it is near enough to be a slip: at most 1 edit for short
 * words, 2 from 5 letters, a third of the word's length beyond. A prefix of 3+ letters of exactly
 * one word (`reg` -> `register`) also counts. Ties go to the first in `known`.
 */
export function closest(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  if (t.length === 0) return undefined;
  const limit = t.length < 5 ? 1 : Math.max(2, Math.floor(t.length / 3));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const dist = editDistance(t, k.toLowerCase());
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  // An exact word is no typo: the caller knows it already.
  if (bestD === 0) return undefined;
  if (best !== undefined && bestD <= limit) return best;
  if (t.length >= 3) {
    const prefixed = known.filter((k) => k.toLowerCase().startsWith(t));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}

/** `; did you mean "register"?` to end a sentence with, or an empty string when nothing is near. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const c = closest(typed, known);
  return c === undefined ? '' : `; did you mean "${c}"?`;
}
