/**
 * What Discord connection trouble and bot restarts must not lose: events that reach the bot while
 * the gateway is down are posted (in order, in the same thread) once it is back; a click made
 * while the client resumes is handled after the resume; after a restart the old thread and the
 * old buttons still work (custom_ids carry the request, long ones are kept in SQLite).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOT_DELIVERED_MSG } from '../../../src/chat/delivery-schedule.js';
import { permissionRequestsOf } from '../../../src/jobs/queries.js';
import { DISCORD } from '../../fakes/discord/index.js';
import { waitFor } from '../../helpers/wait.js';
import { APPROVER, buttonsOf, CHANNEL, callbackOf, DiscordWorld, OWNER } from './support.js';

let world: DiscordWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const threadPosts = (w: DiscordWorld, threadId: string) =>
  w.since('POST', new RegExp(`^/channels/${threadId}/messages$`));

describe('Discord resilience', () => {
  it('a gateway outage in the middle of a job: events from the outage are posted when it is back', async () => {
    // Posts give up at once (no hold), so the core's record-and-retry is what brings them back.
    world = await DiscordWorld.start({ plugin: { holdMs: 0 } });
    const w = world;
    const { job, threadId, cardId } = await w.register();
    w.event(job.id, 'started', 'agent up');
    await w.waitForMessage(threadId, (m) => String(m.content).includes('Started'), 'started');

    // The connection drops and the session is gone; re-identifying is held back by the test.
    w.gate.close();
    const asked = w.gate.asked;
    w.markCalls();
    await w.fake.dropConnection({ resumable: false });
    await waitFor(() => w.gate.asked > asked, {
      timeoutMs: 10_000,
      message: 'the client waiting to identify',
    });

    w.event(job.id, 'progress', 'step 1');
    w.event(job.id, 'permission_required', 'deploy?', { request_id: 'r-1', tool: 'Deploy', input: {} });
    w.event(job.id, 'completed', 'all done');
    // The request was tried and refused while down (nothing reached Discord); the completion
    // waits behind it, and the core keeps both owed.
    await waitFor(() => w.logs.lines().some((l) => l.msg === NOT_DELIVERED_MSG && l.seq === 3), {
      timeoutMs: 5000,
      message: 'the permission request refused while the gateway is down',
    });
    expect(threadPosts(w, threadId)).toEqual([]);
    expect(w.since('POST', new RegExp(`^/channels/${CHANNEL}/messages$`))).toEqual([]);

    w.gate.release();
    const announcement = await w.waitForMessage(
      CHANNEL,
      (m) => String(m.content).includes('completed') && m.id !== cardId,
      'the completion announced after the outage',
    );
    expect(String(announcement.content)).toContain(job.id);
    await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes('Completed'),
      'completed in the thread',
    );
    const texts = w.messagesIn(threadId).map((m) => String(m.content));
    const order = ['Started', 'Permission needed', 'Completed'].map((t) =>
      texts.findIndex((x) => x.includes(t)),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every post went into the one thread of the job; no second card or thread.
    expect(w.since('POST', /\/threads$/)).toEqual([]);
    expect(w.fake.identifyCount).toBe(2);
  });

  it('a short drop is ridden out: posts wait for the connection and go out in order, none failing', async () => {
    world = await DiscordWorld.start({ plugin: { holdMs: 30_000 } });
    const w = world;
    const { job, threadId } = await w.register();
    w.gate.close();
    const asked = w.gate.asked;
    await w.fake.dropConnection({ resumable: false });
    await waitFor(() => w.gate.asked > asked, {
      timeoutMs: 10_000,
      message: 'the client waiting to identify',
    });
    w.markCalls();
    w.event(job.id, 'started', 'agent up');
    w.event(job.id, 'completed', 'all done');
    expect(threadPosts(w, threadId)).toEqual([]);
    w.gate.release();
    await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes('Completed'),
      'completed after the drop',
    );
    expect(
      threadPosts(w, threadId).map((c) => String((c.body as { content: string }).content).split('\n')[0]),
    ).toEqual(['**▶ Started**: agent up', '**✅ Completed**: all done']);
    expect(w.logs.lines().filter((l) => l.msg === NOT_DELIVERED_MSG)).toEqual([]);
  });

  it('a click made while the client resumes is handled after the resume', async () => {
    world = await DiscordWorld.start();
    const w = world;
    const { job, threadId } = await w.register();
    w.event(job.id, 'permission_required', 'run?', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'ls' },
    });
    const request = await w.waitForMessage(threadId, (m) => 'Approve' in buttonsOf(m), 'buttons');
    await w.fake.dropConnection({ resumable: true });
    const click = w.click(String(request.id), buttonsOf(request).Approve!, APPROVER, [
      DISCORD.approverRoleId,
    ]);
    await waitFor(() => w.fake.resumeCount === 1, { timeoutMs: 10_000, message: 'the client resuming' });
    expect((await w.fake.waitForCall('POST', callbackOf(click))).body).toEqual({ type: 6 });
    await waitFor(() => permissionRequestsOf(w.bot.db, job.id)[0]?.status === 'approved', {
      timeoutMs: 5000,
      message: 'approved after the resume',
    });
    expect([w.fake.identifyCount, w.fake.resumeCount]).toEqual([1, 1]);
  });

  it('after a restart the thread and the pending buttons (long request ids too) still work', async () => {
    world = await DiscordWorld.start();
    const w = world;
    const { job, threadId } = await w.register();
    const longId = `r-${'x'.repeat(100)}`;
    w.event(job.id, 'permission_required', 'run?', {
      request_id: longId,
      tool: 'Bash',
      input: { command: 'ls' },
    });
    const request = await w.waitForMessage(threadId, (m) => 'Approve' in buttonsOf(m), 'buttons');
    const approve = buttonsOf(request).Approve!;
    expect(approve.length).toBeLessThanOrEqual(100);

    await w.restartBot();
    w.markCalls();
    w.click(String(request.id), approve, OWNER);
    await waitFor(() => permissionRequestsOf(w.bot.db, job.id)[0]?.status === 'approved', {
      timeoutMs: 5000,
      message: 'approved through a button posted before the restart',
    });
    await waitFor(
      () =>
        (w.fake.state.messages.get(String(request.id))?.components as unknown[] | undefined)?.length === 0,
      {
        timeoutMs: 5000,
        message: 'the old message edited in place',
      },
    );
    w.event(job.id, 'progress', 'after the restart');
    await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes('after the restart'),
      'progress in the old thread',
    );
    expect(w.since('POST', /\/threads$/)).toEqual([]);
  });
});
