/** Session states and the only transitions allowed between them. */
import { HermesError } from '../src/errors.js';

/**
 * - running: the store believes the agent runs in its tmux session.
 * - stopped: the agent is no longer running (it exited, leaving a dead pane,
 *   or the tmux session is gone), and the session is not cleaned up yet.
 * - terminated: the runner killed the tmux session (or found it gone) after
 *   the job ended and the linger period passed.
 * - archived: terminated longer ago than the retention period; kept as history.
 */
export const SESSION_STATES = ['running', 'stopped', 'terminated', 'archived'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** States whose arrival rewrites agent-sessions.yaml. */
export const MIRRORED_STATES: ReadonlySet<SessionState> = new Set(['stopped', 'terminated', 'archived']);

const ALLOWED: Readonly<Record<SessionState, readonly SessionState[]>> = {
  running: ['stopped', 'terminated'],
  stopped: ['terminated'],
  terminated: ['archived'],
  archived: [],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(name: string, from: SessionState, to: SessionState): void {
  if (!canTransition(from, to)) {
    throw new HermesError('illegal_transition', `session ${name} is ${from}; it cannot become ${to}`);
  }
}

export const isSessionState = (s: string): s is SessionState =>
  (SESSION_STATES as readonly string[]).includes(s);
