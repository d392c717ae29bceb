/** `hermes jobs list [--status S]` */
import { jobToJson } from '../../jobs/job.js';
import type { JobState } from '../../jobs/states.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { jobLine } from '../format.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('jobs list', ctx.args, {
    status: { type: 'string' },
    runner: { type: 'string' },
    json: { type: 'boolean' },
  });
  return withRegistry(ctx, (registry) => {
    const jobs = registry.list({ status: values.status as JobState | undefined, runner: values.runner });
    if (values.json) writeJson(ctx.stdout, jobs.map(jobToJson));
    else if (jobs.length === 0) writeLine(ctx.stdout, 'no jobs');
    else for (const j of jobs) writeLine(ctx.stdout, jobLine(j));
    return 0;
  });
}
