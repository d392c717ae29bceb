/** The job card: the channel message a job's thread hangs off, edited when the job ends. */
import type { Job } from '../../jobs/job.js';
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

/** A job registered with --no-auth: no token, so nothing its agent sends is signed. */
export const isUnsigned = (job: Job): boolean => job.auth === 'none';

export const UNSIGNED_NOTE =
  '⚠ Unsigned job (registered with --no-auth): its events are not signed and show as unverified.';

export function renderJobCard(job: Job, platform: string, promptChars: number, usage?: Usage): ChatMessage {
  const unsigned = isUnsigned(job);
  return message(
    `Job ${job.id} (${job.profile}) ${statusWords(job.status)}${unsigned ? ' · unsigned' : ''}`,
    section(
      bold(`Job ${job.id}`),
      text(` · ${statusWords(job.status)}`),
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
    context(
      text(
        job.status === 'idle'
          ? 'The agent finished its turn: reply in the thread (or /hermes reply), or /hermes done to end it.'
          : 'Updates, approvals and the result follow in the thread.',
      ),
    ),
  );
}
