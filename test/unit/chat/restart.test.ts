import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { ALICE, CHANNEL, ChatHarness } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.parse('2026-06-21T10:00:00Z'),
  });
  h = new ChatHarness();
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await h.settle();
}

describe('a restarted chat core on the same database', () => {
  it('posts what arrived while it was away into the same thread, keeps old buttons working, and posts nothing twice', async () => {
    const job = await h.register();
    await h.event(job.id, 'started', 'up');
    await h.event(job.id, 'progress', 'before restart');
    await advance(0);
    await h.permission(job.id, 'r-1');
    const oldRequest = h.port.thread(job.id)[3]!;
    const posted = h.port.messages.length;

    // The bot goes down: events are accepted (committed) but no chat core is listening.
    h.chat.stop();
    await h.event(job.id, 'progress', 'while away');
    await h.permission(job.id, 'r-2', 'Write', { file_path: 'README.md' });
    expect(h.port.messages.length).toBe(posted);

    h.restartChat();
    await advance(0);
    const thread = h.port.thread(job.id);
    // card, started, status, r-1, r-2: the status message was edited, not posted again
    expect(thread.map((m) => m.content.summary)).toEqual([
      expect.stringContaining(job.id),
      `${job.id} started`,
      `${job.id}: while away`,
      `${job.id}: permission needed for Bash`,
      `${job.id}: permission needed for Write`,
    ]);
    expect(h.port.messages.length).toBe(posted + 1);

    // The button on the message posted before the restart still works and its message is edited.
    await h.people.click(oldRequest.ref, 'approve', ALICE);
    await h.settle();
    expect(permissionRequest(h.db, job.id, 'r-1')!.status).toBe('approved');
    expect(plainText(oldRequest.content)).toContain('Approved by');

    await h.event(job.id, 'completed', 'done');
    expect(h.port.announcements(CHANNEL)).toHaveLength(1);
    const total = h.port.messages.length;
    const calls = h.port.calls.length;

    // And again: nothing is owed, nothing is posted.
    h.restartChat();
    await advance(60_000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.messages.length).toBe(total);
    expect(h.port.calls.length).toBe(calls);
  });

  it('a terminal event that arrived while away is posted and announced once after the restart', async () => {
    const job = await h.register();
    h.chat.stop();
    await h.event(job.id, 'completed', 'finished while the bot was down');
    h.restartChat();
    await h.settle();
    expect(h.port.threadText(job.id).at(-1)).toContain('✅ Completed: finished while the bot was down');
    expect(h.port.announcements()).toHaveLength(1);
    h.restartChat();
    await h.settle();
    expect(h.port.announcements()).toHaveLength(1);
  });

  it('a failed post is retried by tick() until it lands, then never again', async () => {
    const job = await h.register();
    h.port.failNext('postInThread', new Error('ratelimited for good'));
    await h.event(job.id, 'started', 'up');
    expect(h.port.thread(job.id)).toHaveLength(1);
    await advance(5000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.thread(job.id)).toHaveLength(1);
    await advance(15_000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.threadText(job.id).slice(1)).toEqual(['▶ Started: up']);
    await advance(60_000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.thread(job.id)).toHaveLength(2);
  });

  it('retries of a job that keeps failing back off (15 s, 30 s, 60 s …)', async () => {
    const job = await h.register();
    for (let i = 0; i < 3; i++) h.port.failNext('postInThread', new Error('channel_not_found'));
    await h.event(job.id, 'started', 'up');
    const attempts = () => h.port.calls.filter((c) => c.method === 'postInThread').length;
    expect(attempts()).toBe(1);
    const at: number[] = [];
    for (let s = 0; s < 200; s++) {
      await advance(1000);
      const before = attempts();
      await h.chat.tick();
      await h.settle();
      if (attempts() > before) at.push(s + 1);
    }
    expect(at).toEqual([15, 45, 105]);
    expect(h.port.threadText(job.id).slice(1)).toEqual(['▶ Started: up']);
  });

  it('a job registered outside chat gets a card in the default channel at its first event', async () => {
    h.close();
    h = new ChatHarness({ settings: { defaultChannel: 'C0DEFAULT' } });
    const job = h.registry.register({ profile: 'demo', owner: 'cli:ops', prompt: 'from the CLI' });
    await h.event(job.id, 'started');
    const card = h.port.card(job.id)!;
    expect(card.ref.channel).toBe('C0DEFAULT');
    expect(plainText(card.content)).toContain('cli:ops');
    expect(h.port.threadText(job.id).slice(1)).toEqual(['▶ Started']);
  });

  it('without a default channel, jobs from outside chat stay out of it', async () => {
    const job = h.registry.register({ profile: 'demo', owner: 'cli:ops' });
    await h.event(job.id, 'started');
    expect(h.port.messages).toEqual([]);
  });
});
