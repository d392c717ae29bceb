/**
 * `hermes jobs cancel ID`: through the running bot when there is one (it tells the runner, the
 * thread and card say so, the channel hears it); else marks the job cancelled in the database,
 * and the bot does the rest when it starts.
 */
import { userInfo } from 'node:os';
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { callRunningBot, NO_BOT_NOTE } from '../bot-link.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('jobs cancel', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs cancel: give exactly one job id');
  const id = positionals[0]!;
  const by = `cli:${ctx.env.USER ?? userInfo().username}`;
  const viaBot = await callRunningBot(ctx, 'cancel', { job_id: id, by });
  if (viaBot) {
    if (values.json) writeJson(ctx.stdout, viaBot.result);
    else writeLine(ctx.stdout, `${id} cancelled (by the running bot: runner told, chat updated)`);
    return 0;
  }
  return withRegistry(ctx, (registry) => {
    const job = registry.cancel(id, `cancelled by ${by}`);
    if (values.json) writeJson(ctx.stdout, jobToJson(job));
    else writeLine(ctx.stdout, `${job.id} cancelled`);
    writeLine(ctx.stderr, `hermes: ${NO_BOT_NOTE}`);
    return 0;
  });
}
