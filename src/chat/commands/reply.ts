/**
 * `reply ID text…` and `done ID`: a follow-up for a job's agent (what a message in the job's
 * thread does too, see thread-reply.ts). Whoever may act on the job or register in its channel
 * may; the follow-up is queued for the job's runner (src/jobs/followups.ts).
 */
import { describeError, HermesError, isHermesError } from '../../errors.js';
import { type FollowupKind, queueFollowup } from '../../jobs/followups.js';
import type { Job } from '../../jobs/job.js';
import { ownerOf } from '../access.js';
import type { ChatDeps } from '../deps.js';
import type { Actor } from '../port.js';
import { refuse, say } from './replies.js';
import type { CommandHandler } from './types.js';

/** What the person who followed up is told (privately, or in the thread). */
export function followupAnswer(job: Job, kind: FollowupKind, queued: boolean): string {
  if (kind === 'done') {
    return queued
      ? `${job.id} ends when its current turn is over.`
      : `Ending ${job.id}; the result is announced in the channel.`;
  }
  return queued
    ? `${job.id} is still working on its turn: your reply waits until that turn ends, then starts the next one.`
    : `Sent to ${job.id}; its next turn starts now.`;
}

/** Queues the follow-up and wakes the dispatcher; a refusal throws a HermesError with the reason. */
export function sendFollowup(
  deps: ChatDeps,
  job: Job,
  actor: Actor,
  kind: FollowupKind,
  text?: string,
): string {
  const r = queueFollowup(deps.registry, deps.clock, { jobId: job.id, kind, text, by: ownerOf(actor) });
  deps.runners.kick();
  return followupAnswer(job, kind, r.queued);
}

function followupCommand(kind: FollowupKind): CommandHandler {
  return {
    name: kind,
    usage: kind === 'reply' ? 'reply <job id> <text…>' : 'done <job id>',
    verbatim: true,
    summary:
      kind === 'reply'
        ? "send a follow-up to a job's agent (the next turn of the conversation)"
        : 'end a job that waits for a reply (it completes)',
    async run(ctx) {
      const { deps, input, args, text } = ctx;
      const id = args[0]?.value;
      if (!id) throw new HermesError('usage', 'give the job id');
      const body = kind === 'reply' ? text.slice(args[0]!.end).trim() : undefined;
      if (kind === 'done' && text.slice(args[0]!.end).trim() !== '') {
        throw new HermesError('usage', 'done takes only the job id');
      }
      const job = deps.registry.get(id);
      if (!job) throw new HermesError('usage', `no job ${id}; see /hermes list`);
      const away = deps.access.elsewhere(job);
      if (away) {
        await refuse(ctx, 'reply', away, job.id, 'not a job of this platform');
        return;
      }
      if (!deps.access.mayReply(input.actor, job)) {
        await refuse(
          ctx,
          'reply',
          `you may not follow up on ${job.id} (its owner, the approvers and those who may register in its channel may)`,
          job.id,
        );
        return;
      }
      if (kind === 'reply' && !body)
        throw new HermesError('usage', 'give the text of the reply after the job id');
      let answer: string;
      try {
        answer = sendFollowup(deps, job, input.actor, kind, body);
      } catch (e) {
        if (!isHermesError(e) || isHermesError(e, 'usage')) throw e;
        await input.reply(say(`Not sent: ${describeError(e)}`));
        return;
      }
      deps.access.record('accepted', 'reply', input.actor, input.channel, { jobId: job.id, detail: kind });
      await input.reply(say(answer));
    },
  };
}

export const reply = followupCommand('reply');
export const done = followupCommand('done');
