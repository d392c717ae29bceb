/** `cancel ID`: the owner or an approver stops a job of this platform; its thread and card say so. */
import { describeError, HermesError } from '../../errors.js';
import { isTerminalState } from '../../jobs/states.js';
import { ownerOf } from '../access.js';
import { renderCancelAnnouncement, renderCancelled } from '../render/events.js';
import { who } from '../render/people.js';
import { mayActOrRefuse, say } from './replies.js';
import type { CommandHandler } from './types.js';

export const cancel: CommandHandler = {
  name: 'cancel',
  usage: 'cancel <job id>',
  summary: 'stop a job (its owner and the approvers may)',
  async run(ctx) {
    const { deps, input, args } = ctx;
    const id = args[0]?.value;
    if (!id || args.length > 1) throw new HermesError('usage', 'give one job id');
    const job = deps.registry.get(id);
    if (!job) throw new HermesError('usage', `no job ${id}; see /hermes list`);
    const why = `only the owner of ${job.id} and the approvers may cancel it`;
    if (!(await mayActOrRefuse(ctx, 'cancel', job, why))) return;
    if (isTerminalState(job.status)) {
      await input.reply(
        say(`${job.id} has already ${job.status === 'cancelled' ? 'been cancelled' : job.status}.`),
      );
      return;
    }
    const by = ownerOf(input.actor);
    try {
      await deps.runners.cancel(job.id, by);
    } catch (err) {
      await input.reply(say(`Could not cancel ${job.id}: ${describeError(err)}`));
      return;
    }
    deps.access.record('accepted', 'cancel', input.actor, input.channel, { jobId: job.id });
    const after = deps.registry.require(job.id);
    if (after.status !== 'cancelled') {
      await input.reply(
        say(`Asked runner ${job.runner} to stop ${job.id}; it is ${after.status} until the runner confirms.`),
      );
      return;
    }
    const byWho = who(by, deps.platform);
    await ctx.delivery.ended(
      job.id,
      renderCancelled(job.id, byWho),
      renderCancelAnnouncement(after, byWho, deps.platform),
    );
    await input.reply(say(`Cancelled ${job.id}.`));
  },
};
