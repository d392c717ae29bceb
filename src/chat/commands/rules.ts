/**
 * `rules <job id>`: the job's approval rules by origin (hardline, bot, profile, granted: who and
 * when), with how many calls each answered automatically, privately. Who may see it: as `status`.
 */
import { HermesError } from '../../errors.js';
import { type JobRulesReport, jobRulesReport, type RuleLine } from '../../jobs/job-rules-report.js';
import { bold, code, context, excerpt, message, section, text, time } from '../message.js';
import type { Block, Span } from '../port.js';
import { who } from '../render/people.js';
import { viewableJob } from './replies.js';
import type { CommandHandler } from './types.js';

const HEADS: Record<string, string> = {
  hardline: 'Hardline denies (built in; a runner may add or remove some)',
  bot: "Bot rules (this bot's approvals)",
  profile: "Profile rules (kept on the runner; shown: those that answered this job's calls)",
  granted: 'Granted in chat for this job',
};

/** Headings when the job's runner reported its rules at the start: all of them are listed. */
function headsOf(report: JobRulesReport): Record<string, string> {
  if (report.source === 'bot') return HEADS;
  const on = excerpt(report.source.runner, 60);
  return {
    ...HEADS,
    hardline: `Hardline denies (on runner ${on}; no allow lifts them)`,
    bot: "Bot rules (this bot's approvals, as sent with the start)",
    profile: `Profile rules (of the job's profile on runner ${on})`,
  };
}

const calls = (n: number) => (n === 0 ? 'no calls' : `${n} call${n === 1 ? '' : 's'}`);

function line(r: RuleLine, platform: string): Block {
  const by: Span[] = r.granted_by
    ? [
        text(' · by '),
        ...who(r.granted_by, platform),
        ...(r.granted_at ? [text(' at '), time(r.granted_at)] : []),
        ...(r.legacy ? [text(' (approved for this job)')] : []),
      ]
    : [];
  return section(text(`${r.kind} `), code(excerpt(r.rule, 200)), ...by, text(` · ${calls(r.answered)}`));
}

export function renderRules(report: JobRulesReport, platform: string): ReturnType<typeof message> {
  const heads = headsOf(report);
  const blocks: Block[] = [section(bold(`Rules of ${report.job_id}`), text(' (deny beats ask beats allow)'))];
  const origins = [...new Set(report.rules.map((r) => r.origin))];
  for (const o of ['hardline', 'bot', 'profile', 'granted']) if (!origins.includes(o)) origins.push(o);
  for (const origin of origins) {
    const mine = report.rules.filter((r) => r.origin === origin);
    blocks.push(section(bold(heads[origin] ?? `${excerpt(origin, 40)} rules`)));
    if (origin === 'hardline') {
      // The built-ins and a runner's additions: one line, with counts only where they answered something.
      const spans = mine.flatMap((r, i) => [
        ...(i > 0 ? [text(', ')] : []),
        code(excerpt(r.rule.replace(/^hardline:/, ''), 200)),
        ...(r.answered > 0 ? [text(` (${calls(r.answered)})`)] : []),
      ]);
      blocks.push(mine.length > 0 ? section(text('deny '), ...spans) : context(text('none')));
      if (report.hardline_removed.length > 0)
        blocks.push(
          context(
            text(`removed on this runner (runner.hardline_remove): ${report.hardline_removed.join(', ')}`),
          ),
        );
      continue;
    }
    if (mine.length === 0) blocks.push(context(text('none')));
    for (const r of mine.slice(0, 40)) blocks.push(line(r, platform));
    if (mine.length > 40)
      blocks.push(context(text(`${mine.length - 40} more: hermes jobs rules ${report.job_id}`)));
  }
  if (report.omitted > 0)
    blocks.push(
      context(
        text(`${report.omitted} more rules in force were left out of the runner's report (message size)`),
      ),
    );
  blocks.push(
    context(
      text(
        `Grant one: /hermes approve ${report.job_id} [request] --rule 'Bash(npm test:*)' · deny one: /hermes deny ${report.job_id} [request] --rule '…'`,
      ),
    ),
  );
  return message(`Rules of ${report.job_id}`, ...blocks);
}

export const rules: CommandHandler = {
  name: 'rules',
  usage: 'rules <job id>',
  summary: "a job's approval rules by origin, with how many calls each answered",
  async run(ctx) {
    const { deps, input, args } = ctx;
    const id = args[0]?.value;
    if (!id || args.length > 1) throw new HermesError('usage', 'give one job id');
    const job = await viewableJob(ctx, id);
    if (!job) return;
    const report = jobRulesReport(deps.registry.db, job.id, deps.settings.botRules);
    await input.reply(renderRules(report, deps.platform));
  },
};
