/** The job card: the channel message a job's thread hangs off, edited when the job ends. */
import type { Job } from '../../jobs/job.js';
import { bold, code, context, excerpt, message, section, text } from '../message.js';
import type { ChatMessage } from '../port.js';
import { who } from './people.js';

const STATUS_WORDS: Record<Job['status'], string> = {
  pending: 'waiting for a runner',
  dispatched: 'sent to its runner',
  running: 'running',
  waiting: 'waiting for approval',
  completed: 'completed',
  error: 'ended with an error',
  cancelled: 'cancelled',
};

export const statusWords = (status: Job['status']): string => STATUS_WORDS[status];

export function renderJobCard(job: Job, platform: string, promptChars: number): ChatMessage {
  return message(
    `Job ${job.id} (${job.profile}) ${statusWords(job.status)}`,
    section(bold(`Job ${job.id}`), text(` · ${statusWords(job.status)}`)),
    {
      kind: 'fields',
      fields: [
        { label: 'Profile', value: [code(job.profile)] },
        { label: 'Runner', value: [code(job.runner)] },
        { label: 'Requested by', value: who(job.owner, platform) },
        ...(job.cwd ? [{ label: 'Directory', value: [code(excerpt(job.cwd, 200))] }] : []),
      ],
    },
    section(bold('Prompt: '), text(excerpt(job.prompt, promptChars) || '(none)')),
    context(text('Updates, approvals and the result follow in the thread.')),
  );
}
