/** The job card: the channel message a job's thread hangs off, edited when the job ends. */
import type { RunnerInfo } from '../../bot/runner-control.js';
import type { Job } from '../../jobs/job.js';
import { isTerminalState } from '../../jobs/states.js';
import { formatUsage, formatUsd, type Usage } from '../../jobs/usage.js';
import { bold, code, context, excerpt, message, section, text } from '../message.js';
import type { ChatMessage } from '../port.js';
import { who } from './people.js';

const STATUS_WORDS: Record<Job['status'], string> = {
  pending: 'waiting for a runner',
  dispatched: 'sent to its runner',
  running: 'running',
  waiting: 'waiting for approval',
  idle: 'waiting for you',
  completed: 'completed',
  error: 'ended with an error',
  cancelled: 'cancelled',
};

export const statusWords = (status: Job['status']): string => STATUS_WORDS[status];

/**
 * The card's status: a pending job whose runner is online is about to start (the dispatcher sends
 * it within a second), so "waiting for a runner" is said only when the runner is not known online.
 */
export function cardStatusWords(job: Pick<Job, 'status' | 'runner'>, runner?: RunnerInfo['state']): string {
  if (job.status !== 'pending') return statusWords(job.status);
  if (runner === 'online') return 'starting';
  if (runner === 'offline') return `waiting for runner ${job.runner} (offline)`;
  return statusWords(job.status);
}

function closingLine(status: Job['status']): string {
  if (status === 'idle')
    return 'The agent finished its turn: reply in the thread (or /hermes reply), or /hermes done to end it.';
  if (isTerminalState(status)) return 'The job is over: its thread has the whole story.';
  return 'Updates, approvals and the result follow in the thread.';
}

/** A job registered with --no-auth: no token, so nothing its agent sends is signed. */
export const isUnsigned = (job: Job): boolean => job.auth === 'none';

export const UNSIGNED_NOTE =
  '⚠ Unsigned job (registered with --no-auth): its events are not signed and show as unverified.';

/** `runner`: the job's runner's last known state, when the caller knows it. */
export function renderJobCard(
  job: Job,
  platform: string,
  promptChars: number,
  usage?: Usage,
  runner?: RunnerInfo['state'],
): ChatMessage {
  const unsigned = isUnsigned(job);
  const words = cardStatusWords(job, runner);
  return message(
    `Job ${job.id} (${job.profile}) ${words}${unsigned ? ' · unsigned' : ''}`,
    section(
      bold(`Job ${job.id}`),
      text(` · ${words}`),
      ...(unsigned ? [text(' · '), bold('⚠ unsigned')] : []),
    ),
    {
      kind: 'fields',
      fields: [
        { label: 'Profile', value: [code(job.profile)] },
        { label: 'Runner', value: [code(job.runner)] },
        { label: 'Requested by', value: who(job.owner, platform) },
        ...(job.cwd ? [{ label: 'Directory', value: [code(excerpt(job.cwd, 200))] }] : []),
        ...(usage ? [{ label: 'Cost', value: [text(formatUsage(usage))] }] : []),
        ...(job.maxCostUsd !== null ? [{ label: 'Budget', value: [text(formatUsd(job.maxCostUsd))] }] : []),
      ],
    },
    section(bold('Prompt: '), text(excerpt(job.prompt, promptChars) || '(none)')),
    ...(unsigned ? [context(text(UNSIGNED_NOTE))] : []),
    // Last: /hermes status shows the card without it.
    context(text(closingLine(job.status))),
  );
}
