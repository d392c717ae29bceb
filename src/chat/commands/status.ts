/**
 * `status ID`: one job's card, its open requests and its latest event, privately. Only for this
 * platform's jobs: to its owner and the approvers, and to whoever may view jobs in the job's own
 * channel when asked from there (see Access.mayViewJob).
 */
import { HermesError } from '../../errors.js';
import { eventsOf, permissionRequestsOf } from '../../jobs/queries.js';
import { jobUsage } from '../../jobs/usage-queries.js';
import { bold, code, context, excerpt, message, section, text, time } from '../message.js';
import type { Block } from '../port.js';
import { renderJobCard } from '../render/job-card.js';
import { refuse } from './replies.js';
import type { CommandHandler } from './types.js';

export const status: CommandHandler = {
  name: 'status',
  usage: 'status <job id>',
  summary: "a job's state, open requests and latest event",
  async run(ctx) {
    const { deps, input, args } = ctx;
    const id = args[0]?.value;
    if (!id || args.length > 1) throw new HermesError('usage', 'give one job id');
    const { access } = deps;
    const job = deps.registry.get(id);
    if (!job) {
      // Someone who may see nothing here learns nothing, not even which ids exist.
      if (!access.mayView(input.actor, input.channel)) {
        await refuse(ctx, 'view', 'you may not see jobs here');
        return;
      }
      throw new HermesError('usage', `no job ${id}; see /hermes list all`);
    }
    const away = access.elsewhere(job);
    if (away) {
      await refuse(ctx, 'view', away, job.id, 'not a job of this platform');
      return;
    }
    // Rights on the job's own channel, not on the one the command was typed in.
    if (!access.mayViewJob(input.actor, job, input.channel)) {
      const why = `you may not see ${job.id} from here (its owner and the approvers may; others ask in the job's own channel)`;
      await refuse(ctx, 'view', why, job.id);
      return;
    }
    const runner = deps.runners.list().find((r) => r.id === job.runner)?.state;
    const card = renderJobCard(job, deps.platform, 500, jobUsage(deps.registry.db, job.id), runner);
    const blocks: Block[] = [...card.blocks.slice(0, -1)];
    const pending = permissionRequestsOf(deps.registry.db, job.id, 'pending');
    for (const r of pending) {
      blocks.push(
        section(bold('Waiting for an answer: '), code(r.request_id), text(' '), code(excerpt(r.tool, 100))),
      );
    }
    const last = eventsOf(deps.registry.db, job.id).at(-1);
    if (last) {
      blocks.push(
        context(
          text(`Latest event #${last.seq} ${last.event}${last.verified ? '' : ' (unverified)'}`),
          text(last.detail ? `: ${excerpt(last.detail, 200)}` : ''),
          text(' at '),
          time(last.received_at),
        ),
      );
    }
    if (job.statusReason) blocks.push(context(text(`Reason: ${excerpt(job.statusReason, 300)}`)));
    await input.reply(message(card.summary, ...blocks));
  },
};
