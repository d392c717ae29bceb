/**
 * `usage [today|week|month]`: what this platform's jobs cost, summed per person, channel, profile
 * and runner (from the agents' own reports, see src/jobs/usage-queries.ts). Approvers see every
 * job of the platform; others who may view the channel see that channel's jobs.
 */
import { HermesError } from '../../errors.js';
import { formatUsage } from '../../jobs/usage.js';
import { type UsageGroup, usageSummary } from '../../jobs/usage-queries.js';
import { bold, context, message, section, text } from '../message.js';
import type { Block } from '../port.js';
import { refuse } from './replies.js';
import type { CommandHandler } from './types.js';

const PERIODS = { today: 0, week: 7, month: 30 } as const;
type Period = keyof typeof PERIODS;

/** Start of the period: midnight UTC today, or that many days back. */
export function periodStart(period: Period, now: number): string {
  const d = new Date(now);
  if (PERIODS[period] === 0)
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
  return new Date(now - PERIODS[period] * 86_400_000).toISOString();
}

const TOP = 5;

function groupBlocks(title: string, groups: UsageGroup[], label: (key: string) => string): Block[] {
  if (groups.length === 0) return [];
  return [
    section(bold(title)),
    ...groups
      .slice(0, TOP)
      .map((g) =>
        context(text(`${label(g.key)}: ${formatUsage(g.usage)} (${g.jobs} job${g.jobs === 1 ? '' : 's'})`)),
      ),
    ...(groups.length > TOP ? [context(text(`… and ${groups.length - TOP} more`))] : []),
  ];
}

export const usage: CommandHandler = {
  name: 'usage',
  usage: 'usage [today|week|month]',
  summary: 'what jobs cost (tokens, dollars), per person, channel, profile and runner',
  async run(ctx) {
    const { deps, input, args } = ctx;
    const word = (args[0]?.value ?? 'today').toLowerCase();
    if (!(word in PERIODS) || args.length > 1) throw new HermesError('usage', 'give today, week or month');
    const period = word as Period;
    const { access, platform, registry, clock } = deps;
    if (!access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'view', 'you may not see jobs here');
      return;
    }
    const all = access.isApprover(input.actor);
    const since = periodStart(period, clock.now());
    const sum = usageSummary(
      registry.db,
      since,
      (j) => j.chat_platform === platform && (all || j.chat_channel === input.channel),
    );
    const scope = all ? `every ${platform} job` : 'jobs of this channel';
    const head = `Usage ${period === 'today' ? 'today' : `in the last ${PERIODS[period]} days`} (${scope})`;
    if (sum.jobs === 0) {
      await input.reply(
        message(
          `${head}: no job reported a cost`,
          section(bold(head)),
          context(text('No job reported a cost.')),
        ),
      );
      return;
    }
    await input.reply(
      message(
        `${head}: ${formatUsage(sum.total)}`,
        section(
          bold(head),
          text(`: ${formatUsage(sum.total)} over ${sum.jobs} job${sum.jobs === 1 ? '' : 's'}`),
        ),
        ...groupBlocks('By person', sum.by_user, (k) => k),
        ...groupBlocks('By channel', sum.by_channel, (k) => k),
        ...groupBlocks('By profile', sum.by_profile, (k) => k),
        ...groupBlocks('By runner', sum.by_runner, (k) => k),
      ),
    );
  },
};
