/**
 * Discord markdown from the core's spans and blocks. Agent text must never format, mention, link
 * or render as a timestamp / emoji / slash-command chip, so on top of discord.js's
 * `escapeMarkdown` (every option on) `<` and `@` are escaped (no `<@id>`, `<#id>`, `<t:…>`,
 * `@everyone`), as are `scheme://` (no auto-linked URLs) and the line starts Discord gives
 * meaning to (`-# ` subtext, `> ` quotes).
 * Discord drops a backslash before punctuation when it renders, so readers see the text as typed.
 * Only spans the core made become markup: users and roles as mentions (`<@id>`, `<@&id>`) that
 * ping only when the span says `notify` and allowed_mentions lists them (blocks.ts), times as
 * `<t:…:f>` so each reader sees their own time zone, links as masked links.
 */
import { escapeMarkdown } from 'discord.js';
import type { Block, Span } from '../../src/chat/port.js';

export function escapeText(text: string): string {
  const md = escapeMarkdown(text, {
    codeBlock: true,
    inlineCode: true,
    // Bold, italic, underline and `* ` bullets are all `*` / `_`: escaped one by one below,
    // because escapeMarkdown's italic pass takes seconds on long text (it is quadratic).
    bold: false,
    italic: false,
    underline: false,
    strikethrough: true,
    spoiler: true,
    codeBlockContent: true,
    inlineCodeContent: true,
    escape: true,
    heading: true,
    bulletedList: false,
    numberedList: true,
    maskedLink: true,
  });
  return (
    md
      .replaceAll(/[*_]/g, '\\$&')
      .replaceAll(/^(\s*)-(?=\s)/gm, '$1\\-')
      .replaceAll('<', '\\<')
      .replaceAll('@', '\\@')
      // `https\://…` renders as typed but is no longer a URL Discord would make clickable. Every
      // `://` is escaped, whatever precedes it: a scheme stuck to a digit or `_` (`1https://`,
      // `_https://`) has no word boundary, and Discord links it all the same.
      .replaceAll('://', '\\://')
      .replaceAll(/^(\s*)-#/gm, '$1\\-#')
      .replaceAll(/^(\s*)>/gm, '$1\\>')
  );
}

/** Inline code: its content is not parsed, so only a backtick could break out; it becomes ˋ. */
export function inlineCode(text: string): string {
  const body = text.replaceAll('`', 'ˋ').replaceAll(/\r?\n/g, ' ');
  return `\`${body.length > 0 ? body : ' '}\``;
}

/** A fenced block: a run of backticks inside is split by zero-width spaces so it cannot close it. */
export function codeFence(text: string): string {
  const body = text.replaceAll(/`(?=`)/g, '`\u200b');
  return `\`\`\`\n${body.length > 0 ? body : ' '}\n\`\`\``;
}

const SNOWFLAKE_RE = /^\d{1,25}$/;

function textSpan(s: Extract<Span, { kind: 'text' }>): string {
  if (s.text.length === 0) return '';
  if (s.style === 'code') return inlineCode(s.text);
  const body = escapeText(s.text);
  if (s.style === 'bold') return `**${body}**`;
  if (s.style === 'italic') return `_${body}_`;
  return body;
}

function timeSpan(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? escapeText(iso) : `<t:${Math.floor(ms / 1000)}:f>`;
}

/** Only http(s) links are made clickable; anything else is shown as text. */
function linkSpan(url: string, label: string): string {
  const safe = /^https?:\/\/[^\s<>()]+$/i.test(url);
  const text = escapeText(label.replaceAll(/[[\]]/g, ''));
  return safe ? `[${text}](<${url}>)` : `${text} (${escapeText(url)})`;
}

export function renderSpan(s: Span): string {
  switch (s.kind) {
    case 'text':
      return textSpan(s);
    case 'user':
      // An id that is not a snowflake (a CLI owner) is shown as text, never as markup.
      return SNOWFLAKE_RE.test(s.id) ? `<@${s.id}>` : escapeText(s.id);
    case 'group':
      return SNOWFLAKE_RE.test(s.id) ? `<@&${s.id}>` : escapeText(s.id);
    case 'link':
      return linkSpan(s.url, s.label);
    case 'time':
      return timeSpan(s.iso);
  }
}

export const renderSpans = (spans: readonly Span[]): string => spans.map(renderSpan).join('');

/** One block as markdown; `actions` render as components instead (empty here). */
export function renderBlock(b: Block): string {
  switch (b.kind) {
    case 'section':
      return renderSpans(b.spans);
    case 'fields':
      return b.fields.map((f) => `**${escapeText(f.label)}:** ${renderSpans(f.value)}`).join('\n');
    case 'code':
      return codeFence(b.text);
    case 'context':
      // `-# ` is Discord's small print; it applies per line.
      return renderSpans(b.spans)
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => `-# ${l}`)
        .join('\n');
    case 'actions':
      return '';
  }
}

/** People and roles this message deliberately pings (`notify: true` spans only). */
export function notified(blocks: readonly Block[]): { users: string[]; roles: string[] } {
  const users = new Set<string>();
  const roles = new Set<string>();
  const visit = (spans: readonly Span[]) => {
    for (const s of spans) {
      if (s.kind === 'user' && s.notify && SNOWFLAKE_RE.test(s.id)) users.add(s.id);
      if (s.kind === 'group' && s.notify && SNOWFLAKE_RE.test(s.id)) roles.add(s.id);
    }
  };
  for (const b of blocks) {
    if (b.kind === 'section' || b.kind === 'context') visit(b.spans);
    if (b.kind === 'fields') for (const f of b.fields) visit(f.value);
  }
  return { users: [...users], roles: [...roles] };
}
