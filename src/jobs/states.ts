/** Job states and the only transitions allowed between them. */
import { HermesError } from '../errors.js';

export const JOB_STATES = [
  'pending',
  'dispatched',
  'running',
  'waiting',
  'idle',
  'completed',
  'error',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['completed', 'error', 'cancelled']);
export const isTerminalState = (s: JobState): boolean => TERMINAL_STATES.has(s);

const ENDINGS: JobState[] = ['completed', 'error', 'cancelled'];

/**
 * `idle`: the agent finished a turn and waits for a follow-up (profiles with `followup: resume`);
 * a reply makes it `running` again, `done` or the idle timeout `completed`.
 *
 * Events are accepted whatever the dispatch state (an agent may be started by
 * hand), so every live state may move to running / waiting / an ending.
 * `dispatched -> pending` is a runner rejecting or losing a start.
 */
const ALLOWED: Readonly<Record<JobState, readonly JobState[]>> = {
  pending: ['dispatched', 'running', 'waiting', ...ENDINGS],
  dispatched: ['pending', 'running', 'waiting', ...ENDINGS],
  running: ['waiting', 'idle', ...ENDINGS],
  waiting: ['running', 'idle', ...ENDINGS],
  idle: ['running', 'waiting', ...ENDINGS],
  completed: [],
  error: [],
  cancelled: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(jobId: string, from: JobState, to: JobState): void {
  if (!canTransition(from, to)) {
    throw new HermesError('illegal_transition', `job ${jobId} is ${from}; it cannot become ${to}`);
  }
}

/** The state an accepted event moves a job to (undefined: unchanged). */
export function stateAfterEvent(
  current: JobState,
  event: string,
  openRequests: number,
  data: { state?: unknown } = {},
): JobState | undefined {
  switch (event) {
    case 'started':
      return current === 'running'
        ? undefined
        : current === 'waiting' && openRequests > 0
          ? undefined
          : 'running';
    case 'progress':
      // `hermes run` marks a turn's end (`idle`) and the start of the next one (`running`).
      if (data.state === 'idle') return current === 'idle' ? undefined : 'idle';
      if (data.state === 'running' && current === 'idle') return 'running';
      return current === 'pending' || current === 'dispatched' ? 'running' : undefined;
    case 'permission_required':
      return current === 'waiting' ? undefined : 'waiting';
    case 'completed':
      return 'completed';
    case 'error':
      return 'error';
    default:
      return undefined;
  }
}
