/** `cancel`: what `hermes jobs cancel` asks the running bot: cancel, tell the runner, let chat say so. */
import { z } from 'zod';
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { isTerminalState } from '../../jobs/states.js';
import { defineHandler } from './handler.js';

export const cancelHandler = defineHandler({
  op: 'cancel',
  args: z.object({ job_id: z.string().min(1), by: z.string().min(1).max(200) }),
  async run(ctx, args) {
    const job = ctx.registry.get(args.job_id);
    if (!job) throw new HermesError('unknown_job', `no job with id ${args.job_id}`);
    if (isTerminalState(job.status)) {
      throw new HermesError('illegal_transition', `${job.id} has already ended (${job.status})`);
    }
    await ctx.runners.cancel(job.id, args.by);
    ctx.core.notices.emit({ kind: 'cancelled', jobId: job.id, by: args.by });
    return jobToJson(ctx.registry.require(job.id));
  },
});
