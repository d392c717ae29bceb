/**
 * Slack mrkdwn from the core's spans. Every text span is escaped (`&`, `<`, `>`), so agent text can
 * never form `<!channel>`, `<!here>`, `<@U…>`, `<!subteam^…>` or `<url|label>`; text objects are
 * sent with `verbatim: true`, so Slack does not auto-link bare URLs or channel names either. Only
 * spans the core made (user, group, link, time) become Slack's `<…>` tokens, and a user or group
 * becomes a mention token only when the span says `notify`.
 *
 * Why not always `<@U…>`: Slack has no allowed_mentions, so every `<@U…>` / `<!subteam^S…>` in a
 * message notifies that person (or every member of the group). Naming people (job owner, who may
 * answer, who decided) would then ping them on every card, request and announcement, and the one
 * reminder that is meant to ping would be noise among many. Showing a name instead of the id would
 * need `users:read` (not asked for), so a named-only person is shown as the plain id `@U…`,
 * which verbatim text leaves unparsed.
 */
import type { Span } from '../../src/chat/port.js';

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside `…` nothing may close the span early. */
const noBackticks = (s: string) => s.replace(/`/g, 'ˋ');
/** `*`, `_`, `~` around a styled span would be closed by the same character inside it. */
const styleSafe = (s: string, mark: string) =>
  s.replaceAll(mark, mark === '*' ? '∗' : mark === '_' ? '＿' : '∼');

const SAFE_ID = /^[A-Z0-9]{2,40}$/;
const SAFE_URL = /^https?:\/\/[^\s<>|]+$/;

function timeToken(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${fallback}>`;
}

export function spanToMrkdwn(s: Span): string {
  switch (s.kind) {
    case 'text': {
      const t = escapeMrkdwn(s.text);
      if (!s.style || t.trim() === '') return t;
      // Slack only styles `*x*` when the marks touch the text: keep surrounding blanks outside.
      const [, lead, core, trail] = /^(\s*)(.*?)(\s*)$/s.exec(t)!;
      if (s.style === 'code') return `${lead}\`${noBackticks(core!)}\`${trail}`;
      if (s.style === 'bold') return `${lead}*${styleSafe(core!, '*')}*${trail}`;
      return `${lead}_${styleSafe(core!, '_')}_${trail}`;
    }
    case 'user':
      if (!SAFE_ID.test(s.id)) return escapeMrkdwn(s.id);
      return s.notify ? `<@${s.id}>` : `@${s.id}`;
    case 'group':
      if (!SAFE_ID.test(s.id)) return escapeMrkdwn(s.id);
      return s.notify ? `<!subteam^${s.id}>` : `@${s.id}`;
    case 'link':
      return SAFE_URL.test(s.url) ? `<${s.url}|${escapeMrkdwn(s.label)}>` : escapeMrkdwn(s.label);
    case 'time':
      return timeToken(s.iso);
  }
}

export const spansToMrkdwn = (spans: readonly Span[]): string => spans.map(spanToMrkdwn).join('');

/**
 * Cuts escaped mrkdwn to `max` characters without splitting an entity (`&amp;`) or a `<…>` token,
 * marking the cut with an ellipsis.
 */
export function clampMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  const lt = cut.lastIndexOf('<');
  if (lt >= 0 && !cut.slice(lt).includes('>')) cut = cut.slice(0, lt);
  return `${cut}…`;
}

/**
 * A fenced block whose content cannot close the fence: every backtick followed by another gets a
 * zero-width space after it, so no run of two or more (```, ````` …) is left for Slack to read as
 * a fence, whatever its length (replacing only ``` would leave one in a run of five).
 */
export function codeFence(text: string, max: number): string {
  const body = escapeMrkdwn(text).replace(/`(?=`)/g, '`\u200b');
  return `\`\`\`\n${clampMrkdwn(body, max - 8)}\n\`\`\``;
}
