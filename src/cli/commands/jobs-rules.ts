/** `hermes jobs rules ID [--json]`: the job's approval rules by origin, with how many calls each answered. */
import { HermesError } from '../../errors.js';
import { jobRulesReport } from '../../jobs/job-rules-report.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('jobs rules', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs rules: give exactly one job id');
  const config = ctx.config();
  return withRegistry(ctx, (registry, db) => {
    const job = registry.require(positionals[0]!);
    const report = jobRulesReport(db, job.id, config.approvals);
    if (values.json) {
      writeJson(ctx.stdout, report);
      return 0;
    }
    if (report.source !== 'bot')
      writeLine(
        ctx.stdout,
        `as runner ${report.source.runner} reported at the start (${report.source.reported_at})`,
      );
    let origin = '';
    for (const r of report.rules) {
      if (r.origin !== origin) {
        origin = r.origin;
        writeLine(ctx.stdout, `${origin}${r.reported ? ' (reported by the hook)' : ''}`);
      }
      const by = r.granted_by
        ? `  by ${r.granted_by} at ${r.granted_at}${r.legacy ? ' (approved for this job)' : ''}`
        : '';
      writeLine(
        ctx.stdout,
        `  ${r.kind.padEnd(5)} ${r.rule}  ${r.answered} call${r.answered === 1 ? '' : 's'}${by}`,
      );
    }
    if (report.hardline_removed.length > 0)
      writeLine(ctx.stdout, `hardline removed on the runner: ${report.hardline_removed.join(', ')}`);
    if (report.omitted > 0)
      writeLine(ctx.stdout, `${report.omitted} more rules left out of the runner's report (message size)`);
    return 0;
  });
}
