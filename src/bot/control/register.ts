/**
 * `register`: what `hermes jobs register` asks the running bot: the job is registered, dispatched
 * at once, and its card appears in chat where jobs from outside chat go. A given token travels
 * only over the 0600 socket and is never logged.
 */
import { z } from 'zod';
import { jobToJson } from '../../jobs/job.js';
import type { TokenChoice } from '../../jobs/registry.js';
import { checkRegistration, unpairedRunner } from '../registration-check.js';
import { defineHandler } from './handler.js';

export const registerHandler = defineHandler({
  op: 'register',
  args: z.object({
    /** A chosen id (`--id`, the old fleet's `job_42`); the registry checks it. */
    id: z.string().min(1).optional(),
    profile: z.string().min(1),
    runner: z.string().min(1).optional(),
    prompt: z.string().default(''),
    cwd: z.string().min(1).nullable().default(null),
    repo: z.string().min(1).nullable().default(null),
    max_cost_usd: z.number().positive().nullable().default(null),
    owner: z.string().min(1).max(200),
    auth: z
      .union([
        z.object({ kind: z.literal('generate') }),
        z.object({ kind: z.literal('none') }),
        z.object({ kind: z.literal('given'), token: z.string() }),
      ])
      .default({ kind: 'generate' }),
    reveal_token: z.boolean().default(false),
  }),
  async run(ctx, args) {
    // Only the folder is checked here: a CLI job for an unpaired runner may be claimed by another
    // worker (`hermes jobs claim`), and the CLI warns about it itself.
    const runners = ctx.runners.list();
    const runner = runners.find((r) => r.id === (args.runner ?? 'local'));
    if (runner) checkRegistration([runner], args);
    const job = ctx.registry.register({
      ...(args.id !== undefined ? { id: args.id } : {}),
      profile: args.profile,
      ...(args.runner ? { runner: args.runner } : {}),
      prompt: args.prompt,
      cwd: args.cwd,
      repo: args.repo,
      maxCostUsd: args.max_cost_usd,
      owner: args.owner,
      auth: args.auth as TokenChoice,
    });
    ctx.core.notices.emit({ kind: 'registered', jobId: job.id });
    ctx.runners.kick();
    return {
      job: jobToJson(job),
      ...(args.reveal_token ? { token: ctx.registry.tokenOf(job.id) } : {}),
      ...(runner ? {} : { unpaired: unpairedRunner(runners, args) }),
    };
  },
});
