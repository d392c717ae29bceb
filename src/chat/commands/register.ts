/**
 * `register <profile> [--runner R] [--cwd DIR] [--repo NAME] <prompt…>`: registers the job (a token is generated),
 * posts its card in this channel, and tells the runners. If the card cannot be posted the job is
 * cancelled at once, so no agent runs without a thread to report to.
 */
import { z } from 'zod';
import { describeError, HermesError } from '../../errors.js';
import { PROFILE_RE, REPO_RE } from '../../jobs/registry.js';
import { isTerminalState } from '../../jobs/states.js';
import { ID_RE } from '../../protocol/topics.js';
import { ownerOf } from '../access.js';
import { refuse, say } from './replies.js';
import { restFrom } from './tokenize.js';
import type { CommandContext, CommandHandler } from './types.js';

const PROMPT_MAX = 4000;

const Registration = z.object({
  profile: z.string().regex(PROFILE_RE, 'the profile must be a lowercase word (a-z 0-9 _ -)'),
  runner: z.string().regex(ID_RE, 'the runner id may only have A-Z a-z 0-9 . _ : -').optional(),
  cwd: z
    .string()
    .min(1)
    .max(1024, 'the directory is longer than 1024 characters')
    .refine((s) => !s.includes('\0'), 'the directory has a NUL character')
    .optional(),
  max_cost: z.coerce
    .number({ error: '--max-cost must be a number of US dollars' })
    .positive('--max-cost must be more than 0')
    .max(100_000, '--max-cost is implausibly high')
    .optional(),
  repo: z.string().regex(REPO_RE, 'the repository must be a lowercase name (a-z 0-9 _ . -)').optional(),
  prompt: z
    .string()
    .min(1, 'give a prompt')
    .max(PROMPT_MAX, `the prompt is longer than ${PROMPT_MAX} characters`),
});
export type Registration = z.infer<typeof Registration>;

/** Parses the words after `register`. Flags sit between the profile and the prompt. */
export function parseRegistration(ctx: Pick<CommandContext, 'args' | 'text'>): Registration {
  const { args } = ctx;
  const raw: Record<string, string | undefined> = { profile: args[0]?.value };
  let i = 1;
  for (;;) {
    const t = args[i];
    if (!t || t.quoted || !t.value.startsWith('--')) break;
    const [flag, inline] = t.value.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = flag.slice(2);
    if (name !== 'runner' && name !== 'cwd' && name !== 'max-cost' && name !== 'repo') {
      throw new HermesError('usage', `unknown option ${flag}`);
    }
    const value = inline ?? args[i + 1]?.value;
    if (value === undefined) throw new HermesError('usage', `${flag} needs a value`);
    raw[name === 'max-cost' ? 'max_cost' : name] = value;
    i += inline === undefined ? 2 : 1;
  }
  raw.prompt = restFrom(ctx.text, args, i);
  const r = Registration.safeParse(raw);
  if (!r.success) throw new HermesError('usage', r.error.issues.map((x) => x.message).join('; '));
  return r.data;
}

export const register: CommandHandler = {
  name: 'register',
  usage: 'register <profile> [--runner R] [--cwd DIR] [--max-cost USD] [--repo NAME] <prompt…>',
  summary: 'start an agent job; its updates and approvals go into a thread on the card',
  async run(ctx) {
    const { deps, input } = ctx;
    const { registry, runners, queue, access, platform, log } = deps;
    const reg = parseRegistration(ctx);
    if (!access.mayRegister(input.actor, input.channel)) {
      await refuse(
        ctx,
        'register',
        'you may not register jobs here (ask an admin to add you or this channel)',
      );
      return;
    }
    const runner = runners.list().find((r) => r.id === (reg.runner ?? 'local'));
    if (runner && runner.profiles.length > 0 && !runner.profiles.includes(reg.profile)) {
      throw new HermesError(
        'usage',
        `runner ${runner.id} has no profile "${reg.profile}" (it has: ${runner.profiles.join(', ')})`,
      );
    }
    const job = registry.register({
      profile: reg.profile,
      ...(reg.runner ? { runner: reg.runner } : {}),
      cwd: reg.cwd ?? null,
      maxCostUsd: reg.max_cost ?? null,
      repo: reg.repo ?? null,
      prompt: reg.prompt,
      owner: ownerOf(input.actor),
      chat: { platform, channel: input.channel, thread: null },
    });
    try {
      await queue.run(job.id, async () => {
        const opened = await ctx.delivery.openThread(job, input.channel);
        registry.setChatLocation(job.id, { platform, channel: input.channel, thread: opened.thread.id });
      });
    } catch (err) {
      log.warn({ err, job_id: job.id, channel: input.channel }, 'job card not posted; job cancelled');
      await runners.cancel(job.id, 'hermes:chat').catch(() => undefined);
      // RunnerControl.cancel marks the job; without a runner answering, the registry still must.
      const after = registry.get(job.id);
      if (after && !isTerminalState(after.status)) registry.cancel(job.id, 'job card not posted');
      await input.reply(
        say(
          `Could not post in this channel (${describeError(err)}), so job ${job.id} was cancelled. Is the bot invited here?`,
        ),
      );
      return;
    }
    access.record('accepted', 'register', input.actor, input.channel, { jobId: job.id });
    runners.kick();
    await input.reply(
      say(`Registered ${job.id} (${job.profile} on ${job.runner}). Follow it in the thread under its card.`),
    );
  },
};
