/** `hermes jobs claim --runner R`: exit 4 with no output when nothing is pending. */
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { jobLine } from '../format.js';
import { withRegistry } from '../registry-context.js';

export const EXIT_NONE_PENDING = 4;

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('jobs claim', ctx.args, {
    runner: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.runner) throw new HermesError('usage', 'jobs claim: --runner is required');
  return withRegistry(ctx, (registry) => {
    const job = registry.claim(values.runner!);
    if (!job) return EXIT_NONE_PENDING;
    if (values.json) writeJson(ctx.stdout, jobToJson(job));
    else writeLine(ctx.stdout, jobLine(job));
    return 0;
  });
}
