/** How the core names people and actors in chat: platform users as user spans, others as text. */
import { AUTO_BY_PREFIX } from '../../bot/auto-approve.js';
import { EXPIRED_BY } from '../../jobs/decisions.js';
import { text } from '../message.js';
import type { Span } from '../port.js';

/** `slack:U1` on Slack -> a user span; `cli:alice`, `discord:…` elsewhere -> literal text. */
export function who(by: string, platform: string, notify = false): Span[] {
  const own = `${platform}:`;
  if (by.startsWith(own)) return [{ kind: 'user', id: by.slice(own.length), ...(notify ? { notify } : {}) }];
  if (by === EXPIRED_BY) return [text('expiry')];
  const auto = `${AUTO_BY_PREFIX}:`;
  if (by.startsWith(auto)) return [text('a standing approval by '), ...who(by.slice(auto.length), platform)];
  return [text(by)];
}

/** Spans joined by a separator. */
export function joinSpans(parts: Span[][], sep: string): Span[] {
  const out: Span[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(text(sep));
    out.push(...p);
  });
  return out;
}

/** "3m 12s", "45s", "1h 02m": short and exact enough for a notification. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}
