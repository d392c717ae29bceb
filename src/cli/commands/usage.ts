/**
 * `hermes usage [--since WHEN] [--json]`: what jobs cost (the agents' own reports), summed per
 * user, channel, profile and runner, for jobs registered since WHEN: an ISO date or time, or a
 * span back from now (`24h`, `7d`, `30d`; default `today`, midnight UTC). Reads the bot's database.
 */
import { HermesError } from '../../errors.js';
import { formatUsage } from '../../jobs/usage.js';
import { type UsageGroup, usageSummary } from '../../jobs/usage-queries.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

/** `today`, `Nh`, `Nd`, or an ISO date / time, as an ISO time. */
export function parseSince(raw: string, now: number): string {
  if (raw === 'today') {
    const d = new Date(now);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
  }
  const span = /^(\d{1,5})([hd])$/.exec(raw);
  if (span) return new Date(now - Number(span[1]) * (span[2] === 'h' ? 3_600_000 : 86_400_000)).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(Date.parse(raw)))
    return new Date(Date.parse(raw)).toISOString();
  throw new HermesError(
    'usage',
    `usage: --since takes today, a span like 24h or 7d, or an ISO date, not ${raw}`,
  );
}

function printGroups(ctx: CommandContext, title: string, groups: UsageGroup[]): void {
  if (groups.length === 0) return;
  writeLine(ctx.stdout, title);
  for (const g of groups)
    writeLine(ctx.stdout, `  ${g.key}  ${formatUsage(g.usage)}  (${g.jobs} job${g.jobs === 1 ? '' : 's'})`);
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('usage', ctx.args, {
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new HermesError('usage', 'usage: takes no arguments (use --since)');
  const since = parseSince(values.since ?? 'today', ctx.clock.now());
  return withRegistry(ctx, (_registry, db) => {
    const sum = usageSummary(db, since);
    if (values.json) {
      writeJson(ctx.stdout, sum);
      return 0;
    }
    writeLine(ctx.stdout, `since     ${since}`);
    writeLine(ctx.stdout, `jobs      ${sum.jobs} with a reported cost`);
    writeLine(ctx.stdout, `total     ${formatUsage(sum.total)}`);
    printGroups(ctx, 'by user', sum.by_user);
    printGroups(ctx, 'by channel', sum.by_channel);
    printGroups(ctx, 'by profile', sum.by_profile);
    printGroups(ctx, 'by runner', sum.by_runner);
    return 0;
  });
}
