/** Small builders for the message model in port.ts, and the limits the core applies to agent text. */
import type { Block, ChatMessage, Span } from './port.js';

export const text = (value: string, style?: 'bold' | 'italic' | 'code'): Span =>
  style ? { kind: 'text', text: value, style } : { kind: 'text', text: value };
export const bold = (value: string): Span => text(value, 'bold');
export const code = (value: string): Span => text(value, 'code');
export const time = (iso: string): Span => ({ kind: 'time', iso });

export const section = (...spans: Span[]): Block => ({ kind: 'section', spans });
export const context = (...spans: Span[]): Block => ({ kind: 'context', spans });
export const codeBlock = (value: string): Block => ({ kind: 'code', text: value });

export const message = (summary: string, ...blocks: Block[]): ChatMessage => ({ summary, blocks });

/** Cuts `value` to at most `max` characters (code points), saying how much was left out. */
export function truncate(value: string, max: number): string {
  const chars = [...value];
  if (chars.length <= max) return value;
  const omitted = chars.length - max;
  const note = `… (${omitted} more characters)`;
  return chars.slice(0, Math.max(0, max - note.length)).join('') + note;
}

/** One line of at most `max` characters: newlines and runs of blanks become one space. */
export function excerpt(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** Plain text of a message, as a reader would see it (tests, the console, logs). */
export function plainText(m: ChatMessage): string {
  const spans = (ss: Span[]) => ss.map(spanText).join('');
  const lines: string[] = [];
  for (const b of m.blocks) {
    if (b.kind === 'section' || b.kind === 'context') lines.push(spans(b.spans));
    else if (b.kind === 'fields') lines.push(b.fields.map((f) => `${f.label}: ${spans(f.value)}`).join('  '));
    else if (b.kind === 'code') lines.push(b.text);
    else lines.push(b.buttons.map((x) => `[${x.label}]`).join(' '));
  }
  return lines.join('\n');
}

export function spanText(s: Span): string {
  switch (s.kind) {
    case 'text':
      return s.text;
    case 'user':
      return `@${s.id}`;
    case 'group':
      return `@group:${s.id}`;
    case 'link':
      return `${s.label} <${s.url}>`;
    case 'time':
      return s.iso;
  }
}
