/**
 * Owed events with the real retry delay (15 s, doubling): a job's events reach chat in seq order
 * even while earlier ones wait out a backoff; a reconnect retries at once; a job whose card never
 * made it into the database gets one; events that keep failing are given up after a day.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { CHANNEL, ChatHarness } from './harness.js';

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

const summaries = (jobId: string) => h.port.thread(jobId).map((m) => m.content.summary);

describe('owed events and order', () => {
  it('a new event waits behind the owed ones of its job instead of overtaking their backoff', async () => {
    const job = await h.register();
    h.port.failNext('postInThread', new Error('service_unavailable'));
    await h.permission(job.id, 'r-1');
    expect(summaries(job.id)).toHaveLength(1);
    // The request is owed and backing off (15 s); the job ends meanwhile.
    await advance(2000);
    await h.chat.tick();
    await h.event(job.id, 'completed', 'done');
    expect(summaries(job.id).slice(1)).toEqual([
      `${job.id}: expired for Bash`,
      expect.stringContaining('completed'),
    ]);
    expect(h.port.announcements(CHANNEL)).toHaveLength(1);
  });

  it('when the owed event still fails, the new one is held back too and both follow in order', async () => {
    const job = await h.register();
    const attempted: string[] = [];
    const post = h.port.postInThread.bind(h.port);
    h.port.postInThread = (thread, content) => {
      attempted.push(content.summary);
      return post(thread, content);
    };
    h.port.failNext('postInThread', new Error('service_unavailable'));
    await h.event(job.id, 'started', 'up');
    h.port.failNext('postInThread', new Error('service_unavailable'));
    await h.permission(job.id, 'r-1');
    // The request brought "started" forward; that failed again, so the request was not even tried.
    expect(attempted).toEqual([`${job.id} started`, `${job.id} started`]);
    expect(summaries(job.id)).toHaveLength(1);
    // Two failures in a row: the periodic retry comes 30 s later.
    await advance(15_000);
    await h.chat.tick();
    await h.settle();
    expect(summaries(job.id)).toHaveLength(1);
    await advance(15_000);
    await h.chat.tick();
    await h.settle();
    expect(summaries(job.id).slice(1)).toEqual([
      `${job.id} started`,
      `${job.id}: permission needed for Bash`,
    ]);
  });

  it('catchUp() (a reconnect) retries at once, ignoring the backoff; tick() waits it out', async () => {
    const job = await h.register();
    for (let i = 0; i < 3; i++) h.port.failNext('postInThread', new Error('gateway down'));
    await h.event(job.id, 'started', 'up');
    await advance(15_000);
    await h.chat.tick();
    await h.settle();
    await advance(15_000);
    await h.chat.tick();
    await h.settle();
    // Two failures so far: the next periodic retry is 30 s after the last one, 15 s from now.
    expect(h.port.calls.filter((c) => c.method === 'postInThread')).toHaveLength(2);
    await h.chat.tick();
    await h.settle();
    expect(h.port.calls.filter((c) => c.method === 'postInThread')).toHaveLength(2);
    expect(h.chat.catchUp()).toBe(1);
    await h.settle();
    expect(h.port.calls.filter((c) => c.method === 'postInThread')).toHaveLength(3);
    expect(h.chat.catchUp()).toBe(1);
    await h.settle();
    expect(summaries(job.id).slice(1)).toEqual([`${job.id} started`]);
    expect(h.chat.catchUp()).toBe(0);
  });

  it('a job registered here whose thread was never saved gets its card at the next event', async () => {
    // As if the bot died between posting the card and saving the thread: the job knows its channel only.
    const job = h.registry.register({
      profile: 'demo',
      owner: 'slack:U0ALICE',
      prompt: 'lost card',
      chat: { platform: 'slack', channel: CHANNEL, thread: null },
    });
    h.chat.stop();
    await h.event(job.id, 'started', 'up');
    h.restartChat();
    await h.settle();
    expect(h.port.card(job.id)?.ref.channel).toBe(CHANNEL);
    expect(summaries(job.id).slice(1)).toEqual([`${job.id} started`]);
    expect(h.registry.require(job.id).chat?.thread).toBe(h.port.card(job.id)!.ref.id);
    await h.event(job.id, 'completed', 'done');
    expect(h.port.messages.filter((m) => m.kind === 'card')).toHaveLength(1);
    expect(h.port.announcements(CHANNEL)).toHaveLength(1);
  });

  it('an event that fails for more than a day is given up once (logged, audited) and not retried', async () => {
    const job = await h.register();
    const other = await h.register();
    // Their channel is gone: every thread post fails until it comes back.
    let down = true;
    let attempts = 0;
    const post = h.port.postInThread.bind(h.port);
    h.port.postInThread = async (thread, content) => {
      attempts++;
      if (down) throw new Error('channel_not_found');
      return post(thread, content);
    };
    await h.event(job.id, 'started', 'up');
    await h.event(other.id, 'started', 'other');
    // A day and more of failing retries, each job backing off up to 10 minutes.
    for (let t = 0; t < 25 * 12; t++) {
      await advance(5 * 60_000);
      await h.chat.tick();
      await h.settle();
    }
    const gaveUp = () => h.chatAudit().filter((r) => r.reason === 'undeliverable');
    expect(gaveUp().map((r) => [r.job_id, r.seq, r.event])).toEqual(
      expect.arrayContaining([
        [job.id, 1, 'started'],
        [other.id, 1, 'started'],
      ]),
    );
    expect(gaveUp()).toHaveLength(2);
    const before = attempts;
    await advance(3600_000);
    await h.chat.tick();
    await h.settle();
    expect(attempts).toBe(before);
    expect(gaveUp()).toHaveLength(2);
    // The job itself still works once its channel does: its next event is posted.
    down = false;
    await h.event(job.id, 'progress', 'later');
    await advance(5000);
    expect(plainText(h.port.thread(job.id).at(-1)!.content)).toContain('later');
  });
});

describe('which jobs a retry pass looks at', () => {
  it('oldest owed first, and jobs backing off are left out so failing jobs cannot fill the pass', async () => {
    const a = await h.register();
    const b = await h.register();
    h.chat.stop();
    await h.event(b.id, 'started');
    await advance(1000);
    await h.event(a.id, 'started');
    const state = h.chat.deps.state;
    const now = new Date(Date.now()).toISOString();
    expect(state.owedJobs(now, false)).toEqual([b.id, a.id]);
    expect(state.owedJobs(now, false, [b.id])).toEqual([a.id]);
    expect(state.owedJobs(now, false, [], 1)).toEqual([b.id]);
  });
});
