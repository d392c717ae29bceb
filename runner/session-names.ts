/**
 * tmux session names for jobs, and the quoting tmux needs for argv it parses
 * itself.
 */
import { HermesError } from '../src/errors.js';
import { ID_RE } from '../src/protocol/topics.js';

export const SESSION_PREFIX = 'hermes-';

/**
 * tmux replaces `.` and `:` in session names (they separate window and pane in
 * targets), and job ids may contain both. Every character outside
 * [A-Za-z0-9-] becomes `_` + two hex digits, so the mapping stays one-to-one
 * and an id like `j-abc123` keeps its readable name `hermes-j-abc123`.
 */
export function sessionNameFor(jobId: string): string {
  if (!ID_RE.test(jobId)) {
    throw new HermesError('usage', `not a valid job id: ${JSON.stringify(jobId)}`);
  }
  const encoded = jobId.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${SESSION_PREFIX}${encoded}`;
}

const SESSION_NAME_RE = /^[A-Za-z0-9_-]{1,400}$/;

/** Names the runner creates or targets: no tmux target syntax (`.` `:` `=` `*`...). */
export function isValidSessionName(name: string): boolean {
  return SESSION_NAME_RE.test(name);
}

export function assertSessionName(name: string): string {
  if (!isValidSessionName(name)) {
    throw new HermesError('tmux', `not a valid tmux session name: ${JSON.stringify(name)}`, {
      hint: 'session names are letters, digits, - and _',
    });
  }
  return name;
}

export const isHermesSessionName = (name: string): boolean => name.startsWith(SESSION_PREFIX);

/**
 * tmux reads its own argv as a command list: an argument ending in `;` ends
 * the command (the `;` is dropped), and a trailing `\;` stands for a literal
 * `;`. The shell command given to new-session is part of that list, so a
 * prompt ending in `;` would be cut, or run the rest of the argv as tmux
 * commands. Escaping the final `;` as `\;` makes tmux hand the argument over
 * unchanged; nothing else in an argument is special to tmux here.
 */
export function escapeTmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** `#` starts a format in options tmux expands (such as new-session -c). */
export const escapeTmuxFormat = (s: string): string => s.replaceAll('#', '##');
