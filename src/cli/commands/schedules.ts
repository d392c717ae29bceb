/**
 * `hermes schedules add|list|remove|pause|resume`: the bot's schedules table
 * from a shell on the bot host. The running bot picks changes up within its
 * tick (a few seconds).
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import { HermesError } from '../../errors.js';
import { PROFILE_RE, REPO_RE } from '../../jobs/registry.js';
import { ID_RE } from '../../protocol/topics.js';
import { nodeCronPort } from '../../schedules/cron-port.js';
import { OVERLAPS, type Schedule, ScheduleStore, scheduleToJson } from '../../schedules/schedule-store.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

const line = (s: Schedule) =>
  `${s.id}  ${s.cron.padEnd(14)} ${s.profile} on ${s.runner}${s.repo ? ` (repo ${s.repo})` : ''}  ${s.overlap}${s.paused ? '  PAUSED' : ''}  last: ${s.lastRunAt ?? 'never'}  "${s.prompt.slice(0, 60)}"`;

const AddInput = z.object({
  cron: z.string().refine((c) => nodeCronPort.valid(c), 'is not a valid cron expression (node-cron syntax)'),
  profile: z.string().regex(PROFILE_RE, 'must be a lowercase word'),
  runner: z.string().regex(ID_RE, 'is not a valid runner id'),
  repo: z.string().regex(REPO_RE, 'must be a lowercase name').optional(),
  prompt: z.string().min(1, 'is required').max(4000),
  overlap: z.enum(OVERLAPS),
});

export async function add(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('schedules add', ctx.args, {
    cron: { type: 'string' },
    profile: { type: 'string' },
    runner: { type: 'string' },
    repo: { type: 'string' },
    prompt: { type: 'string' },
    overlap: { type: 'string' },
    owner: { type: 'string' },
    json: { type: 'boolean' },
  });
  const r = AddInput.safeParse({ runner: 'local', overlap: 'skip', ...values });
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new HermesError('usage', `schedules add: --${String(i.path[0])} ${i.message}`);
  }
  const owner = values.owner ?? `cli:${ctx.env.USER ?? userInfo().username}`;
  return withRegistry(ctx, (_registry, db) => {
    const s = new ScheduleStore(db, ctx.clock, ctx.random).add({
      ...r.data,
      repo: r.data.repo ?? null,
      owner,
      chat: null,
    });
    if (values.json) writeJson(ctx.stdout, scheduleToJson(s));
    else writeLine(ctx.stdout, line(s));
    return 0;
  });
}

export async function list(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('schedules list', ctx.args, { json: { type: 'boolean' } });
  return withRegistry(ctx, (_registry, db) => {
    const all = new ScheduleStore(db, ctx.clock, ctx.random).list();
    if (values.json) writeJson(ctx.stdout, all.map(scheduleToJson));
    else if (all.length === 0) writeLine(ctx.stdout, 'no schedules');
    else for (const s of all) writeLine(ctx.stdout, line(s));
    return 0;
  });
}

function byId(verb: string, fn: (store: ScheduleStore, id: string) => Schedule | undefined) {
  return async (ctx: CommandContext): Promise<number> => {
    const { values, positionals } = parseFlags(
      `schedules ${verb}`,
      ctx.args,
      { json: { type: 'boolean' } },
      true,
    );
    const id = positionals[0];
    if (!id || positionals.length > 1)
      throw new HermesError('usage', `schedules ${verb}: give one schedule id`);
    return withRegistry(ctx, (_registry, db) => {
      const store = new ScheduleStore(db, ctx.clock, ctx.random);
      const s = fn(store, id);
      if (values.json) writeJson(ctx.stdout, s ? scheduleToJson(s) : { id, removed: true });
      else writeLine(ctx.stdout, s ? line(s) : `removed ${id}`);
      return 0;
    });
  };
}

export const remove = byId('remove', (store, id) => {
  store.require(id);
  store.remove(id);
  return undefined;
});
export const pause = byId('pause', (store, id) => store.setPaused(id, true));
export const resume = byId('resume', (store, id) => store.setPaused(id, false));
