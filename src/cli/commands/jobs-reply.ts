/**
 * `hermes jobs reply ID TEXT` and `hermes jobs done ID`: a follow-up for a job's agent, queued in
 * the bot's database like `jobs cancel`; the running bot hands it to the job's runner on its next
 * dispatch pass (within seconds). The checks are the chat's (src/jobs/followups.ts).
 */
import { userInfo } from 'node:os';
import { HermesError } from '../../errors.js';
import { type FollowupKind, queueFollowup } from '../../jobs/followups.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

function command(kind: FollowupKind) {
  return async (ctx: CommandContext): Promise<number> => {
    const name = kind === 'reply' ? 'jobs reply' : 'jobs done';
    const { values, positionals } = parseFlags(
      name,
      ctx.args,
      { json: { type: 'boolean' }, by: { type: 'string' } },
      true,
    );
    const [id, ...rest] = positionals;
    if (!id) throw new HermesError('usage', `${name}: give the job id`);
    if (kind === 'done' && rest.length > 0) throw new HermesError('usage', 'jobs done: give only the job id');
    const text = kind === 'reply' ? rest.join(' ') : undefined;
    if (kind === 'reply' && !text?.trim())
      throw new HermesError('usage', 'jobs reply: give the text after the job id');
    const by = values.by ?? `cli:${ctx.env.USER ?? userInfo().username}`;
    return withRegistry(ctx, (registry) => {
      const r = queueFollowup(registry, ctx.clock, { jobId: id, kind, text, by });
      if (values.json) writeJson(ctx.stdout, { job_id: id, followup: kind, queued: r.queued, mode: r.mode });
      else
        writeLine(
          ctx.stdout,
          r.queued
            ? `${id}: ${kind} queued; it waits until the current turn ends`
            : `${id}: ${kind} queued; the bot sends it to the runner within seconds`,
        );
      return 0;
    });
  };
}

export const run = command('reply');
export const runDone = command('done');
