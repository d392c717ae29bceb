/** Short private answers shared by the command handlers. */
import { HermesError } from '../../errors.js';
import type { Job } from '../../jobs/job.js';
import type { ChatAction } from '../access.js';
import { message, section, text } from '../message.js';
import type { ChatMessage } from '../port.js';
import type { CommandContext } from './types.js';

export const say = (t: string): ChatMessage => message(t, section(text(t)));

export async function refuse(
  ctx: CommandContext,
  action: ChatAction,
  why: string,
  jobId?: string,
  detail?: string,
): Promise<void> {
  const { input, deps } = ctx;
  deps.access.record('refused', action, input.actor, input.channel, {
    ...(jobId ? { jobId } : {}),
    ...(detail ? { detail } : {}),
  });
  await input.reply(say(`Not allowed: ${why}. Nothing was done.`));
}

/**
 * Cancelling and peeking: true when the actor may act on the job from here (it is this platform's
 * job, and they own it or approve); otherwise refuses privately, audited, and returns false.
 */
export async function mayActOrRefuse(
  ctx: CommandContext,
  action: ChatAction,
  job: Job,
  why: string,
): Promise<boolean> {
  const { access } = ctx.deps;
  const away = access.elsewhere(job);
  if (away) {
    await refuse(ctx, action, away, job.id, 'not a job of this platform');
    return false;
  }
  if (access.mayAct(ctx.input.actor, job)) return true;
  await refuse(ctx, action, why, job.id);
  return false;
}

/**
 * The job a viewing command (`status`, `rules`) names, if the person may see it from here (as
 * `status` decides: this platform's job, its owner or an approver, or view rights in the job's own
 * channel); otherwise refuses privately, audited, and returns undefined.
 */
export async function viewableJob(ctx: CommandContext, id: string): Promise<Job | undefined> {
  const { deps, input } = ctx;
  const { access } = deps;
  const job = deps.registry.get(id);
  if (!job) {
    // Someone who may see nothing here learns nothing, not even which ids exist.
    if (!access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'view', 'you may not see jobs here');
      return undefined;
    }
    throw new HermesError('usage', `no job ${id}; see /hermes list all`);
  }
  const away = access.elsewhere(job);
  if (away) {
    await refuse(ctx, 'view', away, job.id, 'not a job of this platform');
    return undefined;
  }
  if (!access.mayViewJob(input.actor, job, input.channel)) {
    const why = `you may not see ${job.id} from here (its owner and the approvers may; others ask in the job's own channel)`;
    await refuse(ctx, 'view', why, job.id);
    return undefined;
  }
  return job;
}
