/**
 * The core's ChatMessage as terminal lines: the same content a Slack thread gets, in plain text.
 * Control characters from agent text are made visible, so an agent cannot move the cursor, clear
 * the screen or forge lines of the console.
 */
import type { Block, Button, ChatMessage, Span } from '../../src/chat/port.js';

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

export function spanText(s: Span): string {
  switch (s.kind) {
    case 'text':
      return s.style === 'code' ? `\`${visible(s.text)}\`` : visible(s.text);
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

const spans = (ss: readonly Span[]) => ss.map(spanText).join('');

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

function blockLines(b: Block): string[] {
  switch (b.kind) {
    case 'section':
      return spans(b.spans).split('\n');
    case 'context':
      return spans(b.spans)
        .split('\n')
        .map((l) => `  ${l}`);
    case 'fields':
      return [b.fields.map((f) => `${f.label}: ${spans(f.value)}`).join(' · ')];
    case 'code':
      return visible(b.text)
        .split('\n')
        .map((l) => `  | ${l}`);
    case 'actions': {
      const hints = b.buttons.map(buttonHint).filter((h): h is string => h !== undefined);
      return hints.length ? [`  answer: ${hints.join('  or  ')}`] : [];
    }
  }
}

export function toLines(m: ChatMessage): string[] {
  const lines = m.blocks.flatMap(blockLines);
  return lines.length ? lines : [visible(m.summary)];
}
