/**
 * A Bash command split into the simple commands it runs, so a rule can be checked against every
 * part: `npm test && curl … | sh` is three commands, and `Bash(npm test:*)` covers only one.
 *
 * Words come from shell-quote (a maintained tokenizer). It does not know everything a shell does,
 * so this file fills the gaps that matter for a permission decision, and where it cannot tell, it
 * says so (`doubts`): a caller that finds doubts never allows automatically, it asks.
 *
 * - shell-quote drops unquoted newlines between words (`a\nb` becomes one command `a b`): they
 *   are turned into `;` first, by a quote-aware scan.
 * - command substitution (`$( )`, backticks), process substitution and here-documents run or feed
 *   code the words do not show: they are doubts, and the text of each substitution is analysed too,
 *   so a deny rule still sees `rm -rf /` inside `echo $(rm -rf /)`.
 */
import { createRequire } from 'node:module';
import type { parse as parseType } from 'shell-quote';

// Loaded on first use: a hook deciding a Read or an Edit never needs the shell tokenizer.
const requireCjs = createRequire(import.meta.url);
let shellParse: typeof parseType | undefined;
/** shell-quote's `parse`, loaded once. */
export function shellWords(...args: Parameters<typeof parseType>): ReturnType<typeof parseType> {
  shellParse ??= (requireCjs('shell-quote') as { parse: typeof parseType }).parse;
  return shellParse(...args);
}

export interface Redirect {
  op: string;
  target: string;
}

export interface BashPart {
  /** The command's words after leading `NAME=value` assignments; variables are VAR_MARK-wrapped. */
  words: string[];
  assignments: string[];
  redirects: Redirect[];
  /** Parts joined by `|` share a pipeline number. */
  pipeline: number;
}

export interface BashAnalysis {
  parts: BashPart[];
  /** Reasons not to trust the split for an automatic allow; empty when the command is plain. */
  doubts: string[];
  /** Commands inside `$( )`, backticks and `<( )`, analysed in turn by the caller for denies. */
  nested: string[];
}

/** Wraps a variable's name in a word, so matchers can tell `$X` from the letters `$X`. */
export const VAR_MARK = '\u0001';

const CONTROL_OPS = new Set(['&&', '||', ';', ';;', '&', '|', '|&', '(', ')']);
const PIPE_OPS = new Set(['|', '|&']);

interface Scan {
  text: string;
  nested: string[];
  doubts: string[];
}

/** Finds the end of a `$(` or `<(` group starting after its `(`; quote-aware enough for nesting. */
function groupEnd(s: string, from: number): number {
  let depth = 1;
  let quote: string | undefined;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return s.length;
}

const WORD_START_BEFORE = new Set(['', ' ', '\t', ';', '&', '|', '(', ')', '<', '>', '\n']);

/**
 * Rewrites what shell-quote would read differently from a shell, and notes every substitution (its
 * inner text kept for deny checks):
 * - unquoted newlines become `;` (shell-quote would join the commands), a backslash-newline is
 *   removed (a shell joins the lines);
 * - `#` starts a comment only at the start of a word (shell-quote starts one anywhere and drops
 *   the rest of the line, commands included): the comment is removed, a `#` inside a word escaped;
 * - an fd number touching a redirection (`2>&1`) is dropped, so it never looks like an argument;
 * - `$'…'` (ANSI-C quoting) is followed with its own escapes, and is a doubt.
 */
function prescan(command: string): Scan {
  const out: string[] = [];
  const nested: string[] = [];
  const doubts = new Set<string>();
  let quote: "'" | '"' | '$' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    const next = command[i + 1];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      out.push(c);
      continue;
    }
    if (quote === '$') {
      // ANSI-C quoting: backslash escapes, `'` ends it.
      if (c === '\\') {
        out.push(c, next ?? '');
        i++;
      } else {
        if (c === "'") quote = undefined;
        out.push(c);
      }
      continue;
    }
    if (c === '\\') {
      if (next === '\n') {
        i++;
        continue;
      }
      out.push(c, next ?? '');
      i++;
      continue;
    }
    const before = command[i - 1] ?? '';
    const atWordStart = WORD_START_BEFORE.has(before);
    if (c === '`') {
      const end = command.indexOf('`', i + 1);
      nested.push(command.slice(i + 1, end === -1 ? undefined : end));
      doubts.add('command substitution');
    } else if (c === '$' && next === '(') {
      const end = groupEnd(command, i + 2);
      // `$((` is arithmetic, which runs no command but can still hide one: treat it alike.
      nested.push(command.slice(i + 2, end));
      doubts.add('command substitution');
    } else if (!quote && c === '$' && next === "'") {
      doubts.add('ANSI-C quoting');
      quote = '$';
      out.push(c, "'");
      i++;
      continue;
    } else if (!quote && (c === '<' || c === '>') && next === '(') {
      nested.push(command.slice(i + 2, groupEnd(command, i + 2)));
      doubts.add('process substitution');
    } else if (!quote && c === '<' && next === '<') {
      doubts.add('here-document');
    } else if (!quote && c === '#') {
      if (atWordStart) {
        // A comment: to the end of the line; the newline itself still ends the command.
        while (i + 1 < command.length && command[i + 1] !== '\n') i++;
        continue;
      }
      out.push('\\#');
      continue;
    } else if (!quote && atWordStart && c >= '0' && c <= '9') {
      let j = i;
      while (command[j] !== undefined && (command[j] ?? '') >= '0' && (command[j] ?? '') <= '9') j++;
      if (command[j] === '>' || command[j] === '<') {
        i = j - 1;
        continue;
      }
    } else if (c === '"') {
      quote = quote === '"' ? undefined : '"';
    } else if (c === "'" && !quote) {
      quote = "'";
    } else if (!quote && c === '\n') {
      out.push(';');
      continue;
    } else if (!quote && c === '\r') {
      doubts.add('carriage return');
    }
    out.push(c);
  }
  if (quote) doubts.add('unterminated quote');
  return { text: out.join(''), nested, doubts: [...doubts] };
}

type Token = ReturnType<typeof parseType>[number];

const tokenText = (t: Token): string | undefined => {
  if (typeof t === 'string') return t;
  if ('pattern' in t) return t.pattern;
  return undefined;
};

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Splits one command line into its simple commands. Never throws. */
export function analyseBash(command: string): BashAnalysis {
  const scan = prescan(command);
  const doubts = [...scan.doubts];
  let tokens: Token[];
  try {
    tokens = shellWords(scan.text, (name) => `${VAR_MARK}${name}${VAR_MARK}`);
  } catch {
    return { parts: [], doubts: [...doubts, 'cannot be parsed'], nested: scan.nested };
  }
  const parts: BashPart[] = [];
  let pipeline = 0;
  let cur: BashPart = { words: [], assignments: [], redirects: [], pipeline };
  const close = (op: string | undefined) => {
    if (cur.words.length > 0 || cur.assignments.length > 0 || cur.redirects.length > 0) parts.push(cur);
    if (op === undefined || !PIPE_OPS.has(op)) pipeline++;
    cur = { words: [], assignments: [], redirects: [], pipeline };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (typeof t === 'object' && 'comment' in t) {
      // prescan removed every comment shell-quote should see: one left means it read the line
      // differently from a shell.
      doubts.push('a comment Hermes cannot place');
      break;
    }
    if (typeof t === 'object' && 'op' in t && t.op !== 'glob') {
      if (CONTROL_OPS.has(t.op)) {
        if (t.op === '(' || t.op === ')') doubts.push('subshell');
        close(t.op);
        continue;
      }
      // A redirection: the next word is its target (a file, or an fd for >& / <&).
      const target = tokenText(tokens[i + 1] as Token);
      i++;
      cur.redirects.push({ op: t.op, target: target ?? '' });
      continue;
    }
    const word = tokenText(t);
    if (word === undefined) continue;
    if (cur.words.length === 0 && ASSIGNMENT_RE.test(word)) cur.assignments.push(word);
    else cur.words.push(word);
  }
  close(undefined);
  return { parts, doubts: [...new Set(doubts)], nested: scan.nested };
}

/** A part's words as one line, the form exact and prefix rules are compared with. */
export const partText = (p: BashPart): string => p.words.join(' ');

export const hasVariable = (word: string): boolean => word.includes(VAR_MARK);

/** A part's text as a person reads it: variables written back as `$NAME`. */
export const displayText = (text: string): string =>
  text.replace(new RegExp(`${VAR_MARK}([^${VAR_MARK}]*)${VAR_MARK}`, 'g'), '$$$1');
