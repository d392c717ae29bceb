/** `diff ID`: what a worktree job changed (files, +/-, commits on its branch) and its patch as a file, in its thread. */
import type { DiffAnswer } from '../../bot/runner-control.js';
import { describeError, HermesError } from '../../errors.js';
import { postPatch } from '../patch-file.js';
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
    let answer: DiffAnswer;
    try {
      answer = await deps.runners.diff(job.id);
    } catch (err) {
      await input.reply(say(`Cannot show the change of ${job.id}: ${describeError(err)}`));
      return;
    }
    deps.access.record('accepted', 'diff', input.actor, input.channel, { jobId: job.id });
    const content = changeMessage(job.id, 'Change so far', answer, deps.settings.maxTextChars);
    if (await ctx.delivery.note(job.id, content)) {
      await postPatch(deps, job.id, answer).catch((err: unknown) =>
        deps.log.warn({ err, job_id: job.id }, 'patch not attached'),
      );
      await input.reply(say(`Posted in the thread of ${job.id}.`));
    } else await input.reply(content);
  },
};
