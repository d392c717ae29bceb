/**
 * The core's ChatMessage as terminal lines: the same content a Slack thread gets, styled for a
 * terminal or plain (style.ts). Control characters from agent text are made visible first, so an
 * agent cannot move the cursor, clear the screen or forge lines of the console.
 */
import type { Block, Button, ChatMessage, Span } from '../../src/chat/port.js';
import { type ConsoleStyle, inlineMarkdown, type Look, PLAIN, paint } from './style.js';

/** C0/C1 controls and DEL, except newline and tab, shown as U+FFFD-style escapes. */
export function visible(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function time(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** One span; `within` is the look of the block around it (context lines are dim). */
export function spanText(s: Span, style: ConsoleStyle = PLAIN, within?: Look): string {
  switch (s.kind) {
    case 'text':
      // A styled span is literal; plain text may carry an agent's (or a person's) inline Markdown.
      return s.style
        ? paint(style, s.style, visible(s.text), within)
        : inlineMarkdown(style, visible(s.text), within);
    case 'user':
      return `@${visible(s.id)}`;
    case 'group':
      return `@${visible(s.id)}`;
    case 'link':
      return visible(s.label);
    case 'time':
      return time(s.iso);
  }
}

const spans = (ss: readonly Span[], style: ConsoleStyle, within?: Look) =>
  ss.map((s) => spanText(s, style, within)).join('');

/** How to answer a button on the console: the text command it stands for. */
function buttonHint(b: Button): string | undefined {
  if (b.action === 'approve') return `/hermes approve ${b.value}`;
  if (b.action === 'deny') return `/hermes deny ${b.value} [reason]`;
  if (b.action === 'approve_job' && b.rule) return `/hermes approve ${b.value} --rule ${quoted(b.rule)}`;
  return undefined;
}

/** A rule as one word of the command text (the core's tokenizer groups quotes). */
function quoted(rule: string): string {
  const q = ["'", '"', '“'].find((c) => !rule.includes(c) && !(c === '“' && rule.includes('”')));
  return q === undefined ? rule : q === '“' ? `“${rule}”` : `${q}${rule}${q}`;
}

function blockLines(b: Block, style: ConsoleStyle): string[] {
  switch (b.kind) {
    case 'section':
      return spans(b.spans, style).split('\n');
    case 'context':
      return spans(b.spans, style, 'dim')
        .split('\n')
        .map((l) => `  ${paint(style, 'dim', l)}`);
    case 'fields':
      return [b.fields.map((f) => `${f.label}: ${spans(f.value, style)}`).join(' · ')];
    case 'code':
      return visible(b.text)
        .split('\n')
        .map((l) => `  ${paint(style, 'dim', '|')} ${l}`);
    case 'actions': {
      // Literal: the commands are meant to be copied as they are.
      const hints = b.buttons.map(buttonHint).filter((h): h is string => h !== undefined);
      return hints.length
        ? [`  ${paint(style, 'bold', 'answer:')} ${hints.map(visible).join('  or  ')}`]
        : [];
    }
  }
}

/** The message as lines, in `style` (plain by default: tests and the contract suite read these). */
export function toLines(m: ChatMessage, style: ConsoleStyle = PLAIN): string[] {
  const lines = m.blocks.flatMap((b) => blockLines(b, style));
  return lines.length ? lines : [visible(m.summary)];
}
