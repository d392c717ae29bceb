/**
 * Splits command text into words the way a shell user expects: blanks separate, "double",
 * 'single' and typographic quotes (which Slack and phones put in) group. Each token keeps its
 * offsets so a prompt can be taken verbatim from the original text.
 */
import { HermesError } from '../../errors.js';

export interface Token {
  value: string;
  start: number;
  end: number;
  quoted: boolean;
}

const CLOSING: Record<string, string> = {
  '"': '"',
  "'": "'",
  '“': '”',
  '”': '”',
  '‘': '’',
  '’': '’',
  '„': '“',
};

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (/\s/.test(input[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const open = input[i]!;
    const close = CLOSING[open];
    if (close !== undefined) {
      const end = input.indexOf(close, i + 1);
      if (end < 0) throw new HermesError('usage', `a quote (${open}) is not closed`);
      tokens.push({ value: input.slice(i + 1, end), start, end: end + 1, quoted: true });
      i = end + 1;
      continue;
    }
    while (i < input.length && !/\s/.test(input[i]!)) i++;
    tokens.push({ value: input.slice(start, i), start, end: i, quoted: false });
  }
  return tokens;
}

/** The original text from token `from` on; one quoted token alone loses its quotes. */
export function restFrom(input: string, tokens: Token[], from: number): string {
  const first = tokens[from];
  if (!first) return '';
  if (from === tokens.length - 1 && first.quoted) return first.value;
  return input.slice(first.start).trim();
}
