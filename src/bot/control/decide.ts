/** `decide`: what `hermes jobs decide` asks the running bot: the same decision the chat buttons make. */
import { z } from 'zod';
import { defineHandler } from './handler.js';

export const decideHandler = defineHandler({
  op: 'decide',
  args: z.object({
    job_id: z.string().min(1),
    request_id: z.string().min(1),
    decision: z.enum(['approve', 'deny']),
    by: z.string().min(1).max(200),
    reason: z.string().max(2000).optional(),
    scope: z.enum(['request', 'job']).default('request'),
    /** A rule granted for the rest of the job with the decision (`--rule`). */
    grant: z.object({ kind: z.enum(['allow', 'deny']), rule: z.string().min(1) }).optional(),
  }),
  async run(ctx, args) {
    const result = await ctx.core.decisions.decide({
      jobId: args.job_id,
      requestId: args.request_id,
      decision: args.decision,
      by: args.by,
      ...(args.reason !== undefined ? { reason: args.reason } : {}),
      scope: args.scope,
      ...(args.grant ? { grant: args.grant } : {}),
    });
    const published = ctx.registry.db
      .prepare('SELECT published_at FROM permission_requests WHERE job_id = ? AND request_id = ?')
      .get(args.job_id, args.request_id) as { published_at: string | null } | undefined;
    return {
      outcome: result.outcome,
      request: result.request,
      published: published?.published_at != null,
    };
  },
});
