/**
 * `list [all]`: this channel's live jobs (or the latest of any state with `all`), privately. An
 * approver's `list all` covers every channel of this platform. Jobs of other platforms never show.
 */
import { HermesError } from '../../errors.js';
import type { Job } from '../../jobs/job.js';
import { isTerminalState } from '../../jobs/states.js';
import { bold, code, excerpt, message, section, text } from '../message.js';
import type { Block } from '../port.js';
import { isUnsigned, statusWords } from '../render/job-card.js';
import { who } from '../render/people.js';
import { refuse } from './replies.js';
import type { CommandHandler } from './types.js';

const SHOWN = 20;

export const list: CommandHandler = {
  name: 'list',
  usage: 'list [all]',
  summary: "this channel's running jobs (or the latest of any state with `all`; approvers: of every channel)",
  async run(ctx) {
    const { deps, input, args } = ctx;
    const { access } = deps;
    const all = args[0]?.value === 'all';
    if (args.length > (all ? 1 : 0)) throw new HermesError('usage', 'the only option is `all`');
    if (!access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'view', 'you may not see jobs here');
      return;
    }
    // Only approvers may act on any job of this platform, so only they see beyond this channel.
    const everywhere = all && access.isApprover(input.actor);
    const where = new Map<Job, string>();
    for (const j of deps.registry.list()) {
      const channel = access.channelOf(j);
      if (channel === undefined || (!everywhere && channel !== input.channel)) continue;
      if (all || !isTerminalState(j.status)) where.set(j, channel);
    }
    const jobs = [...where.keys()];
    const shown = jobs.slice(-SHOWN).reverse();
    const title = all ? (everywhere ? 'Latest jobs, all channels' : 'Latest jobs here') : 'Live jobs here';
    const blocks: Block[] = [
      section(bold(title), text(` (${jobs.length}${jobs.length > SHOWN ? `, newest ${SHOWN} shown` : ''})`)),
      ...shown.map((j) =>
        section(
          code(j.id),
          text(` ${statusWords(j.status)}`),
          ...(isUnsigned(j) ? [text(' · '), bold('⚠ unsigned')] : []),
          text(` · ${j.profile} on ${j.runner} · `),
          ...who(j.owner, deps.platform),
          ...(everywhere ? [text(' · in '), code(where.get(j)!)] : []),
          text(` · ${excerpt(j.prompt, 80)}`),
        ),
      ),
    ];
    if (shown.length === 0)
      blocks.push(
        section(
          text(
            all ? 'No jobs yet.' : 'No live jobs in this channel. `/hermes list all` shows finished ones.',
          ),
        ),
      );
    await input.reply(message(`${jobs.length} jobs`, ...blocks));
  },
};
