/**
 * `/hermes schedule` through discord.js and the Discord stand-in, on a whole bot (real SQLite,
 * broker, relay) whose cron fires when the test says: add (the schedule's message and its
 * thread), list, a scheduled run registering a job (its card in the channel, the run told in the
 * schedule's thread), a skipped run told there, refusals, and remove.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD } from '../../fakes/discord/index.js';
import { fakeCron } from '../../helpers/fake-cron.js';
import { waitFor } from '../../helpers/wait.js';
import { APPROVER, CHANNEL, DiscordWorld, OWNER, STRANGER } from './support.js';

let world: DiscordWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('/hermes schedule on Discord', () => {
  it('adds, lists, runs on the (fake) clock, tells a skipped run in its thread, and removes', async () => {
    const t = fakeCron(new Date().toISOString());
    world = await DiscordWorld.start({ cron: t.cron });
    const w = world;

    const added = await w.command('schedule add', {
      cron: '0 3 * * *',
      profile: 'demo',
      prompt: 'hunt flaky tests',
      overlap: 'skip',
    });
    const id = /Added schedule (s-[\w-]+)/.exec(added.reply)?.[1];
    expect(id, added.reply).toBeDefined();
    const card = await w.waitForMessage(
      CHANNEL,
      (m) => String(m.content).includes(`Schedule ${id}`),
      'schedule card',
    );
    expect(String(card.content)).toContain('hunt flaky tests');
    // Its thread is the card's (Discord gives a thread started on a message the message's id).
    const threadId = String(card.id);
    await waitFor(() => w.fake.state.channels.has(threadId), {
      timeoutMs: 10_000,
      message: 'schedule thread',
    });
    expect(t.live()).toEqual(['0 3 * * *']);

    const listed = await w.command('schedule list');
    expect(listed.reply).toContain(id);
    expect(listed.reply).toContain('0 3 * * *');

    // 03:00 tomorrow: a job for the schedule's creator, with its card in the channel.
    const first = new Date(Date.now() + 86_400_000);
    first.setUTCHours(3, 0, 0, 0);
    t.fireAt('0 3 * * *', first.toISOString());
    const [job] = w.bot.registry.list();
    expect(job).toMatchObject({ owner: `discord:${OWNER.id}`, profile: 'demo', prompt: 'hunt flaky tests' });
    await w.waitForMessage(
      CHANNEL,
      (m) => String(m.content).includes(`Job ${job!.id}`),
      'job card of the run',
    );
    await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes(`registered \`${job!.id}\``),
      'run note',
    );

    // The next day the job still runs: skipped, and said so in the schedule's thread.
    t.fireAt('0 3 * * *', new Date(first.getTime() + 86_400_000).toISOString());
    const skipped = await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes('skipped'),
      'skip note',
    );
    expect(String(skipped.content)).toContain(`job ${job!.id} is still running`);
    expect(w.bot.registry.list()).toHaveLength(1);

    // Not the stranger's to remove (they may not even register); an approver could, the owner does.
    const refused = await w.command('schedule remove', { id: id! }, STRANGER);
    expect(refused.reply).toMatch(/Not allowed/);
    const removed = await w.command('schedule remove', { id: id! });
    expect(removed.reply).toBe(`Schedule ${id} removed. Jobs it registered are not touched.`);
    expect(t.live()).toEqual([]);
    expect(w.bot.schedules!.store.list()).toEqual([]);
    await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes(`Schedule ${id} removed`),
      'removal note',
    );
  });

  it('an approver may pause and resume a schedule someone else added', async () => {
    const t = fakeCron(new Date().toISOString());
    world = await DiscordWorld.start({ cron: t.cron });
    const added = await world.command('schedule add', { cron: '*/30 * * * *', profile: 'demo', prompt: 'x' });
    const id = /Added schedule (s-[\w-]+)/.exec(added.reply)![1]!;
    const paused = await world.command('schedule pause', { id }, APPROVER, [DISCORD.approverRoleId]);
    expect(paused.reply).toBe(`Schedule ${id} paused.`);
    expect(t.live()).toEqual([]);
    expect(world.bot.schedules!.store.require(id).paused).toBe(true);
    const resumed = await world.command('schedule resume', { id });
    expect(resumed.reply).toBe(`Schedule ${id} resumed.`);
    expect(t.live()).toEqual(['*/30 * * * *']);
  });
});
