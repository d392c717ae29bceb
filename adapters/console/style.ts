/**
 * How console text looks: ANSI bold / colour on a terminal, plain text elsewhere (a pipe, a log
 * file, NO_COLOR). Either way no Markdown marker is left raw: the core's code spans and an agent's
 * inline `code` / **bold** become styled text on a terminal and bare text elsewhere.
 *
 * Every string styled here was made visible first (blocks.ts `visible`), so the only escape
 * sequences the console ever prints are these.
 */
import type { Env } from '../../src/config/load.js';

export interface ConsoleStyle {
  readonly ansi: boolean;
}

export const PLAIN: ConsoleStyle = { ansi: false };
export const ANSI: ConsoleStyle = { ansi: true };

/** Colour only on a terminal, and not when NO_COLOR is set (no-color.org) or TERM is dumb. */
export function styleFor(output: { isTTY?: boolean }, env: Env): ConsoleStyle {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return output.isTTY === true && !noColor && env.TERM !== 'dumb' ? ANSI : PLAIN;
}

export type Look = 'bold' | 'italic' | 'code' | 'dim';

const OPEN: Record<Look, string> = {
  bold: '\u001b[1m',
  italic: '\u001b[3m',
  code: '\u001b[36m',
  dim: '\u001b[2m',
};
// Bold and dim share one "normal intensity" reset (22): inside dim text, bold closes back to dim.
const CLOSE: Record<Look, string> = {
  bold: '\u001b[22m',
  italic: '\u001b[23m',
  code: '\u001b[39m',
  dim: '\u001b[22m',
};

/** `s` in one look; `within` the look of the text around it, to restore after it. */
export function paint(style: ConsoleStyle, look: Look, s: string, within?: Look): string {
  if (!style.ansi || s === '') return s;
  const restore = within && (within === 'dim' || within === 'bold') && (look === 'bold' || look === 'dim');
  return `${OPEN[look]}${s}${CLOSE[look]}${restore ? OPEN[within] : ''}`;
}

// `code` first (nothing inside it is Markdown), then **bold** in what is left.
const INLINE_CODE = /`([^`\n]+)`/g;
const BOLD = /\*\*(?=\S)([^*\n]*?\S)\*\*/g;

/** Inline Markdown in (visible) text: `code` and **bold** styled, their markers dropped. */
export function inlineMarkdown(style: ConsoleStyle, s: string, within?: Look): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(INLINE_CODE)) {
    out += boldRuns(style, s.slice(last, m.index), within);
    out += paint(style, 'code', m[1]!, within);
    last = m.index + m[0].length;
  }
  return out + boldRuns(style, s.slice(last), within);
}

function boldRuns(style: ConsoleStyle, s: string, within?: Look): string {
  return s.replace(BOLD, (_, inner: string) => paint(style, 'bold', inner, within));
}
