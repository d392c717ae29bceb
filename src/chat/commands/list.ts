/** `list [all]`: live jobs (or the latest 20 of any state), privately. */
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
  summary: 'jobs that are still running (or the latest ones of any state with `all`)',
  async run(ctx) {
    const { deps, input, args } = ctx;
    if (!deps.access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'view', 'you may not see jobs here');
      return;
    }
    const all = args[0]?.value === 'all';
    const jobs = deps.registry.list().filter((j) => all || !isTerminalState(j.status));
    const shown = jobs.slice(-SHOWN).reverse();
    const blocks: Block[] = [
      section(
        bold(all ? 'Latest jobs' : 'Live jobs'),
        text(` (${jobs.length}${jobs.length > SHOWN ? `, newest ${SHOWN} shown` : ''})`),
      ),
      ...shown.map((j) =>
        section(
          code(j.id),
          text(` ${statusWords(j.status)}`),
          ...(isUnsigned(j) ? [text(' · '), bold('⚠ unsigned')] : []),
          text(` · ${j.profile} on ${j.runner} · `),
          ...who(j.owner, deps.platform),
          text(` · ${excerpt(j.prompt, 80)}`),
        ),
      ),
    ];
    if (shown.length === 0)
      blocks.push(
        section(text(all ? 'No jobs yet.' : 'No live jobs. `/hermes list all` shows finished ones.')),
      );
    await input.reply(message(`${jobs.length} jobs`, ...blocks));
  },
};
