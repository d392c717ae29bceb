/**
 * Peek output must fit in one result message (the bot drops larger ones).
 * Escaping makes the wire size hard to predict (`é` is 6 bytes as `\u00e9`),
 * so the message is built, measured, and the output cut from the front (the
 * last lines matter most) until it fits. A start result's policy (thousands of
 * configured rules) is cut the same way, from its last rules, and says how
 * many it left out.
 */
import type { StartPolicyData } from '../../src/protocol/schemas.js';
import type { OutgoingMessage } from './runner-messages.js';

export const TRUNCATION_MARK = '[… earlier output cut to fit the message]\n';

/** The output, or its end with a mark in front, such that `build(result)` fits in maxBytes. */
export function fitOutput(
  output: string,
  build: (output: string) => OutgoingMessage,
  maxBytes: number,
): string {
  let result = output;
  let text = output;
  for (let i = 0; i < 40; i++) {
    const size = Buffer.byteLength(build(result).wire);
    if (size <= maxBytes || result === '') return result;
    const keep = Math.floor(text.length * (maxBytes / size) * 0.9) - TRUNCATION_MARK.length;
    if (keep <= 0) return '';
    text = text.slice(text.length - keep);
    // Never start inside a surrogate pair.
    if (/^[\udc00-\udfff]/.test(text)) text = text.slice(1);
    result = `${TRUNCATION_MARK}${text}`;
  }
  return '';
}

/**
 * The patch, or its beginning cut at a line's end, such that `build(patch)` fits in maxBytes;
 * undefined when not even a line fits. A reader takes a patch from its top (the first files
 * whole), so the end is what goes; the bot says it was cut from the total size it is told.
 */
export function fitPatch(
  patch: string,
  build: (patch: string) => OutgoingMessage,
  maxBytes: number,
): string | undefined {
  let result = patch;
  for (let i = 0; i < 40; i++) {
    const size = Buffer.byteLength(build(result).wire);
    if (size <= maxBytes) return result === '' ? undefined : result;
    let keep = Math.floor(result.length * (maxBytes / size) * 0.9);
    if (/[\ud800-\udbff]/.test(result[keep - 1] ?? '')) keep--;
    const cut = result.lastIndexOf('\n', keep - 1);
    result = cut > 0 ? result.slice(0, cut + 1) : '';
    if (result === '') return undefined;
  }
  return undefined;
}

/** The policy, or its first rules with `omitted` counting the rest, such that `build(policy)` fits. */
export function fitPolicy(
  policy: StartPolicyData,
  build: (policy: StartPolicyData) => OutgoingMessage,
  maxBytes: number,
): StartPolicyData {
  const total = policy.rules.length + (policy.omitted ?? 0);
  const cut = (n: number): StartPolicyData => ({
    hardline: policy.hardline,
    rules: policy.rules.slice(0, n),
    omitted: total - n,
  });
  if (Buffer.byteLength(build(policy).wire) <= maxBytes) return policy;
  // Binary search for the most rules that fit (sizes grow with n).
  let lo = 0;
  let hi = policy.rules.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(build(cut(mid)).wire) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}
