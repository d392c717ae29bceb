/**
 * What a job cost: tokens and dollars as the agent itself reported them
 * (Claude Code's `--output-format json` / `stream-json` result), summed over
 * the job's turns. The wrapper (`hermes run`) carries the running total in
 * `data.usage` of each turn's end and of the terminal event; the bot reads the
 * latest one. Validated by hand, not with zod: `hermes run` loads this, and
 * zod costs more start-up time than an agent-side command may spend.
 */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  /** The agent's own turn count (Claude's `num_turns`), summed. */
  agent_turns: number;
  /** Conversation turns: the first prompt and each follow-up. */
  turns: number;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0,
  agent_turns: 0,
  turns: 0,
});

const KEYS = Object.keys(ZERO_USAGE) as (keyof Usage)[];

/** Dollars are kept to a millionth: float sums otherwise print as 0.5172000000000001. */
const roundUsd = (n: number): number => Math.round(n * 1e6) / 1e6;

export function addUsage(a: Usage, b: Usage): Usage {
  const out = { ...ZERO_USAGE };
  for (const k of KEYS) out[k] = a[k] + b[k];
  out.cost_usd = roundUsd(out.cost_usd);
  return out;
}

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;

/** `data.usage` of an event, or undefined when it is missing or not a usage object. */
export function usageFromData(data: unknown): Usage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const u = (data as { usage?: unknown }).usage;
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return undefined;
  const rec = u as Record<string, unknown>;
  const out = { ...ZERO_USAGE };
  let any = false;
  for (const k of KEYS) {
    const n = count(rec[k]);
    if (n !== undefined) {
      out[k] = n;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Token counts alone: what `hermes run` reports while a turn runs (`data.tokens`), before any cost is known. */
export type Tokens = Pick<
  Usage,
  'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens'
>;

const TOKEN_KEYS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const;

export const tokensOf = (u: Tokens): Tokens => ({
  input_tokens: u.input_tokens,
  output_tokens: u.output_tokens,
  cache_read_tokens: u.cache_read_tokens,
  cache_write_tokens: u.cache_write_tokens,
});

export function addTokens(a: Tokens, b: Tokens): Tokens {
  const out = tokensOf(a);
  for (const k of TOKEN_KEYS) out[k] += b[k];
  return out;
}

/** `data.tokens` of an event (running counts during a turn), or undefined when it is not one. */
export function tokensFromData(data: unknown): Tokens | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const t = (data as { tokens?: unknown }).tokens;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return undefined;
  const rec = t as Record<string, unknown>;
  const out: Tokens = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
  let any = false;
  for (const k of TOKEN_KEYS) {
    const n = count(rec[k]);
    if (n !== undefined) {
      out[k] = n;
      any = true;
    }
  }
  return any ? out : undefined;
}

const thousands = (n: number): string =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n);

export const formatUsd = (n: number): string => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;

/** `1893 in / 5120 out · cache 310k read, 21k written` */
export function formatTokens(t: Tokens): string {
  return `${thousands(t.input_tokens)} in / ${thousands(t.output_tokens)} out · cache ${thousands(t.cache_read_tokens)} read, ${thousands(t.cache_write_tokens)} written`;
}

/** `$0.4172 · 1893 in / 5120 out · cache 310k read, 21k written · 1 turn`: one line for people. */
export function formatUsage(u: Usage): string {
  const parts = [formatUsd(u.cost_usd), formatTokens(u)];
  if (u.turns > 0) parts.push(`${u.turns} turn${u.turns === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
