/**
 * `schedule add|list|remove|pause|resume`: jobs registered on a cron schedule (src/schedules/).
 * Adding takes the right to register in this channel (each run is the creator's job here) and
 * posts the schedule's message, whose thread hears about every run, skipped ones above all.
 * Removing, pausing and resuming: the creator, and the approvers for anyone's schedule; to anyone
 * who may not see a schedule, its id is answered as an unknown one.
 */
import { checkRegistration } from '../../bot/registration-check.js';
import { describeError, HermesError } from '../../errors.js';
import type { Schedule } from '../../schedules/schedule-store.js';
import { ownerOf } from '../access.js';
import type { ChatSchedules } from '../deps.js';
import { bold, code, excerpt, message, section, text } from '../message.js';
import type { Block } from '../port.js';
import { who } from '../render/people.js';
import { renderScheduleCard, renderScheduleChange, zoneName } from '../render/schedule.js';
import { noteInSchedule } from '../schedule-notes.js';
import { refuse, say } from './replies.js';
import { parseScheduleAdd } from './schedule-parse.js';
import type { CommandContext, CommandHandler } from './types.js';

const SHOWN = 25;

async function add(ctx: CommandContext, schedules: ChatSchedules): Promise<void> {
  const { deps, input } = ctx;
  const { access, platform, log } = deps;
  const p = parseScheduleAdd(ctx.args.slice(1), ctx.text, (e) => schedules.valid(e));
  if (!access.mayAddSchedule(input.actor, input.channel)) {
    await refuse(ctx, 'schedule', 'you may not add schedules here (the same people as for register may)');
    return;
  }
  // What register checks, before anything is stored: a schedule for an unpaired or mistyped
  // runner would register jobs that wait "for a runner" forever.
  checkRegistration(deps.runners.list(), { profile: p.profile, runner: p.runner });
  const s = schedules.store.add({
    cron: p.cron,
    profile: p.profile,
    runner: p.runner,
    repo: p.repo ?? null,
    prompt: p.prompt,
    owner: ownerOf(input.actor),
    chat: { platform, channel: input.channel },
    overlap: p.overlap,
  });
  try {
    deps.pacer.spend(input.channel);
    const { thread } = await deps.port.postJobCard(
      input.channel,
      renderScheduleCard(s, platform, schedules.timeZone),
    );
    schedules.store.setThread(s.id, thread);
  } catch (err) {
    // A schedule nobody can see run would register jobs silently: take it back.
    schedules.store.remove(s.id);
    log.warn(
      { err, schedule: s.id, channel: input.channel },
      'schedule message not posted; schedule removed',
    );
    await input.reply(
      say(`Could not post in this channel (${describeError(err)}), so no schedule was added.`),
    );
    return;
  }
  schedules.sync();
  access.record('accepted', 'schedule', input.actor, input.channel, { detail: `add ${s.id} ${s.cron}` });
  await input.reply(
    say(
      `Added schedule ${s.id}: ${s.profile} on ${s.runner} at "${s.cron}" (${zoneName(schedules.timeZone)}). Its runs are told in the thread under its message.`,
    ),
  );
}

async function list(ctx: CommandContext, schedules: ChatSchedules): Promise<void> {
  const { deps, input } = ctx;
  const { access, platform } = deps;
  const all = ctx.args[1]?.value === 'all';
  if (ctx.args.length > (all ? 2 : 1)) throw new HermesError('usage', 'the only option is `all`');
  if (!access.mayView(input.actor, input.channel)) {
    await refuse(ctx, 'view', 'you may not see schedules here');
    return;
  }
  // As for jobs, only approvers see beyond this channel.
  const everywhere = all && access.isApprover(input.actor);
  const shown = schedules.store
    .list()
    .filter((s) => s.chat?.platform === platform && (everywhere || s.chat.channel === input.channel));
  const blocks: Block[] = [
    section(bold(everywhere ? 'Schedules, all channels' : 'Schedules here'), text(` (${shown.length})`)),
    ...shown
      .slice(0, SHOWN)
      .map((s) =>
        section(
          code(s.id),
          text(' '),
          code(s.cron),
          text(
            `${s.paused ? ' · paused' : ''} · ${s.profile} on ${s.runner}${s.repo ? ` (repo ${s.repo})` : ''} · overlap ${s.overlap} · `,
          ),
          ...who(s.owner, platform),
          ...(everywhere ? [text(' · in '), code(s.chat!.channel)] : []),
          text(
            ` · last run ${s.lastRunAt ?? 'never'}${s.lastJobId ? ` (${s.lastJobId})` : ''} · ${excerpt(s.prompt, 80)}`,
          ),
        ),
      ),
  ];
  if (shown.length === 0)
    blocks.push(
      section(text('No schedules. /hermes schedule add "0 3 * * *" <profile> <prompt…> adds one.')),
    );
  await input.reply(message(`${shown.length} schedules`, ...blocks));
}

/** remove / pause / resume <id>. */
async function change(
  ctx: CommandContext,
  schedules: ChatSchedules,
  verb: 'remove' | 'pause' | 'resume',
): Promise<void> {
  const { deps, input } = ctx;
  const { access, platform } = deps;
  const id = ctx.args[1]?.value;
  if (!id || ctx.args.length > 2)
    throw new HermesError('usage', `give one schedule id: schedule ${verb} <id>`);
  const s = schedules.store.get(id);
  // Someone who may not see the schedule (as `schedule list` shows it: this channel's to those who
  // may view here, any to approvers, their own to creators) is answered as for an id that does not exist: they learn
  // neither that it exists nor where it belongs.
  const visible =
    s !== undefined &&
    (access.isApprover(input.actor) ||
      (s.chat?.platform === platform && s.owner === ownerOf(input.actor)) ||
      (s.chat?.platform === platform &&
        s.chat.channel === input.channel &&
        access.mayView(input.actor, input.channel)));
  if (!s || !visible) {
    if (!access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'schedule', 'you may not change schedules here', undefined, `${verb} ${id}`);
      return;
    }
    throw new HermesError('usage', `no schedule ${id}; see /hermes schedule list`);
  }
  if (s.chat?.platform !== platform) {
    const where = s.chat
      ? `belongs to ${s.chat.platform}; change it there`
      : 'was added from the CLI; use hermes schedules there';
    await refuse(ctx, 'schedule', `schedule ${s.id} ${where}`, undefined, `${verb} ${s.id}`);
    return;
  }
  if (!access.mayChangeSchedule(input.actor, s)) {
    await refuse(
      ctx,
      'schedule',
      `only its creator and the approvers may ${verb} schedule ${s.id}`,
      undefined,
      `${verb} ${s.id}`,
    );
    return;
  }
  let after: Schedule = s;
  if (verb === 'remove') schedules.store.remove(s.id);
  else after = schedules.store.setPaused(s.id, verb === 'pause');
  schedules.sync();
  access.record('accepted', 'schedule', input.actor, input.channel, { detail: `${verb} ${s.id}` });
  const done = verb === 'remove' ? 'removed' : verb === 'pause' ? 'paused' : 'resumed';
  await noteInSchedule(
    deps,
    after,
    renderScheduleChange(after, done, who(ownerOf(input.actor), platform)),
  ).catch((err: unknown) => deps.log.warn({ err, schedule: s.id }, 'schedule change not told in its thread'));
  const tail = verb === 'remove' ? ' Jobs it registered are not touched.' : '';
  await input.reply(say(`Schedule ${s.id} ${done}.${tail}`));
}

export const schedule: CommandHandler = {
  name: 'schedule',
  usage:
    'schedule add "<cron>" <profile> [--runner R] [--repo NAME] [--overlap skip|queue|allow] <prompt…> | list [all] | remove|pause|resume <id>',
  summary: 'jobs registered on a cron schedule, in this channel, owned by whoever added it',
  async run(ctx) {
    const schedules = ctx.deps.schedules;
    const sub = ctx.args[0]?.value.toLowerCase();
    if (sub !== 'add' && sub !== 'list' && sub !== 'remove' && sub !== 'pause' && sub !== 'resume')
      throw new HermesError(
        'usage',
        sub ? `schedule has no "${sub.slice(0, 20)}"` : 'schedule what? add, list, remove, pause or resume',
      );
    if (!schedules) {
      await ctx.input.reply(say('This bot runs no schedules.'));
      return;
    }
    if (sub === 'add') return add(ctx, schedules);
    if (sub === 'list') return list(ctx, schedules);
    return change(ctx, schedules, sub);
  },
};
