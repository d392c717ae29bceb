/** `peek ID [lines]`: the last lines of the job's tmux pane, as a code block in its thread. */
import { z } from 'zod';
import { describeError, HermesError } from '../../errors.js';
import { bold, codeBlock, message, section, text, truncate } from '../message.js';
import { mayActOrRefuse, say } from './replies.js';
import type { CommandHandler } from './types.js';

const Lines = z.coerce.number().int('lines must be a whole number').min(1).max(200, 'at most 200 lines');

export const peek: CommandHandler = {
  name: 'peek',
  usage: 'peek <job id> [lines]',
  summary: "the last lines of the job's terminal (default 20, at most 200)",
  async run(ctx) {
    const { deps, input, args } = ctx;
    const id = args[0]?.value;
    if (!id || args.length > 2)
      throw new HermesError('usage', 'give a job id and optionally a number of lines');
    const parsed = Lines.safeParse(args[1]?.value ?? 20);
    if (!parsed.success) throw new HermesError('usage', parsed.error.issues[0]!.message);
    const job = deps.registry.get(id);
    if (!job) throw new HermesError('usage', `no job ${id}; see /hermes list`);
    const why = `only the owner of ${job.id} and the approvers may look at its terminal`;
    if (!(await mayActOrRefuse(ctx, 'peek', job, why))) return;
    let pane: string;
    try {
      pane = await deps.runners.peek(job.id, parsed.data);
    } catch (err) {
      await input.reply(say(`Cannot peek at ${job.id}: ${describeError(err)}`));
      return;
    }
    deps.access.record('accepted', 'peek', input.actor, input.channel, { jobId: job.id });
    const content = message(
      `${job.id}: last ${parsed.data} lines`,
      section(bold(`Last ${parsed.data} lines`), text(' of the terminal')),
      codeBlock(truncate(pane || '(empty)', deps.settings.maxTextChars)),
    );
    if (await ctx.delivery.note(job.id, content))
      await input.reply(say(`Posted in the thread of ${job.id}.`));
    else await input.reply(content);
  },
};
