/**
 * A plain message in a job's thread as a follow-up for its agent. Only from people who may follow
 * up on the job (its owner, the approvers, those who may register in its channel) and only for
 * jobs whose agent takes follow-ups; everything else is ignored without a word or an audit line:
 * people talk in threads. A follow-up that cannot be sent (the job ended, has not started) is
 * answered privately with the reason.
 */
import { describeError, isHermesError } from '../errors.js';
import { followupModeOf } from '../jobs/followups.js';
import { say } from './commands/replies.js';
import { sendFollowup } from './commands/reply.js';
import type { ChatDeps } from './deps.js';
import type { ThreadMessageInput } from './port.js';

export async function handleThreadMessage(deps: ChatDeps, input: ThreadMessageInput): Promise<void> {
  const text = input.text.trim();
  if (text === '') return;
  const jobId = deps.state.jobByThread(input.thread);
  if (!jobId) return;
  const job = deps.registry.get(jobId);
  if (!job || deps.access.elsewhere(job)) return;
  if (!deps.access.mayReply(input.actor, job)) {
    deps.log.debug(
      { job_id: job.id, user: input.actor.user },
      'thread message from someone who may not follow up; ignored',
    );
    return;
  }
  if (followupModeOf(deps.registry.db, job.id) === 'none') return;
  let answer: string;
  try {
    answer = sendFollowup(deps, job, input.actor, 'reply', text);
  } catch (e) {
    if (!isHermesError(e)) throw e;
    await input.reply(say(`Not sent to ${job.id}: ${describeError(e)}`));
    return;
  }
  deps.access.record('accepted', 'reply', input.actor, input.channel, { jobId: job.id, detail: 'thread' });
  await input.reply(say(answer));
}
