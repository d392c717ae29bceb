/**
 * `register [options] <profile> [options] <prompt…>` (grammar: register-grammar.ts): checks the
 * registration against the paired runners (registration-check.ts), registers the job (a token is
 * generated), posts its card in this channel, and tells the runners. If the card cannot be posted
 * the job is cancelled at once, so no agent runs without a thread to report to.
 */
import { checkRegistration, runnerAbsence } from '../../bot/registration-check.js';
import type { RunnerInfo } from '../../bot/runner-control.js';
import { describeError, HermesError } from '../../errors.js';
import { isTerminalState } from '../../jobs/states.js';
import { ownerOf } from '../access.js';
import { EXAMPLE, parseRegistration } from './register-grammar.js';
import { refuse, say } from './replies.js';
import type { CommandHandler } from './types.js';

export { parseRegistration, type Registration } from './register-grammar.js';

/** `/hermes register` alone: what to type, with the profiles the runners offer. */
function nothingTyped(known: readonly RunnerInfo[]): HermesError {
  const offers = known
    .filter((r) => r.profiles.length > 0)
    .map((r) => `${r.id}: ${r.profiles.join(', ')}`)
    .join('; ');
  return new HermesError(
    'usage',
    `say which agent profile to run and what it should do, e.g. ${EXAMPLE}${offers ? ` (profiles by runner: ${offers})` : ''}`,
  );
}

export const register: CommandHandler = {
  name: 'register',
  usage: 'register <profile> [--runner R] [--cwd DIR] [--max-cost USD] [--repo NAME] <prompt…>',
  summary: 'start an agent job; its updates and approvals go into a thread on the card',
  async run(ctx) {
    const { deps, input } = ctx;
    const { registry, runners, queue, access, platform, log } = deps;
    if (ctx.args.length === 0) throw nothingTyped(runners.list());
    const reg = parseRegistration(ctx);
    if (!access.mayRegister(input.actor, input.channel)) {
      await refuse(
        ctx,
        'register',
        'you may not register jobs here (ask an admin to add you or this channel)',
      );
      return;
    }
    // Before anything is stored or posted: a job its runner would refuse, or could never receive
    // (not paired), would otherwise sit on a card that says "waiting for a runner" forever.
    const known = runners.list();
    checkRegistration(known, reg);
    const absent = runnerAbsence(known, reg);
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
      say(
        `Registered ${job.id} (${job.profile} on ${job.runner}). Follow it in the thread under its card.${absent ? ` Note: ${absent}.` : ''}`,
      ),
    );
  },
};
