/** `diff ID`: what a worktree job changed (files, +/-, commits on its branch), in its thread. */
import { describeError, HermesError } from '../../errors.js';
import { changeMessage } from '../render/change.js';
import { mayActOrRefuse, say } from './replies.js';
import type { CommandHandler } from './types.js';

export const diff: CommandHandler = {
  name: 'diff',
  usage: 'diff <job id>',
  summary: 'the files a worktree job changed, with added / removed lines, from its branch and worktree',
  async run(ctx) {
    const { deps, input, args } = ctx;
    const id = args[0]?.value;
    if (!id || args.length > 1) throw new HermesError('usage', 'give a job id');
    const job = deps.registry.get(id);
    if (!job) throw new HermesError('usage', `no job ${id}; see /hermes list`);
    const why = `only the owner of ${job.id} and the approvers may look at its change`;
    if (!(await mayActOrRefuse(ctx, 'diff', job, why))) return;
    if (!deps.runners.diff) {
      await input.reply(say('This bot cannot ask runners for a diff.'));
      return;
    }
    let table: string;
    try {
      table = await deps.runners.diff(job.id);
    } catch (err) {
      await input.reply(say(`Cannot show the change of ${job.id}: ${describeError(err)}`));
      return;
    }
    deps.access.record('accepted', 'diff', input.actor, input.channel, { jobId: job.id });
    const content = changeMessage(job.id, 'Change so far', { text: table }, deps.settings.maxTextChars);
    if (await ctx.delivery.note(job.id, content))
      await input.reply(say(`Posted in the thread of ${job.id}.`));
    else await input.reply(content);
  },
};
