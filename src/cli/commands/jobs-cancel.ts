/** `hermes jobs cancel ID`: marks the job cancelled (the bot tells its runner to kill the session). */
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('jobs cancel', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs cancel: give exactly one job id');
  return withRegistry(ctx, (registry) => {
    const job = registry.cancel(positionals[0]!, 'cancelled from the CLI');
    if (values.json) writeJson(ctx.stdout, jobToJson(job));
    else writeLine(ctx.stdout, `${job.id} cancelled`);
    return 0;
  });
}
