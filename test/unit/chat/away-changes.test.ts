import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { decide } from '../../../src/jobs/decisions.js';
import { BOT_MIGRATIONS } from '../../../src/store/bot-schema.js';
import { migrate } from '../../../src/store/sqlite.js';
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

/** A job with a thread and an open permission request message; then the bot goes down. */
async function jobWaitingThenBotDown() {
  const job = await h.register();
  await h.event(job.id, 'started', 'up');
  await h.permission(job.id, 'r-1');
  const request = h.port.thread(job.id).at(-1)!;
  expect(plainText(request.content)).not.toContain('Closed');
  h.chat.stop();
  return { job, request };
}

const cancelsOf = (jobId: string) =>
  h.port.announcements(CHANNEL).filter((m) => m.content.summary === `Job ${jobId} cancelled`);

describe('changes made in the database while no bot ran (hermes jobs cancel / decide without a bot)', () => {
  it('a cancel is shown when the chat core starts, as a live one: thread line, one announcement naming who, card, request closed; never again', async () => {
    const { job, request } = await jobWaitingThenBotDown();
    // What `hermes jobs cancel` does with no bot running.
    h.registry.cancel(job.id, 'cancelled by cli:carol');
    const before = h.port.messages.length;

    h.restartChat();
    await h.settle();
    expect(h.port.threadText(job.id).at(-1)).toBe('⏹ Cancelled by cli:carol');
    expect(cancelsOf(job.id)).toHaveLength(1);
    expect(plainText(cancelsOf(job.id)[0]!.content)).toContain('cancelled by cli:carol');
    expect(plainText(h.port.card(job.id)!.content).toLowerCase()).toContain('cancelled');
    expect(plainText(h.port.find(request.ref)!.content)).toContain('Closed');
    expect(h.port.messages.length).toBe(before + 2);

    // Another start, and a reconnect: nothing new.
    h.restartChat();
    await h.settle();
    h.chat.catchUp();
    await h.settle();
    expect(h.port.messages.length).toBe(before + 2);
  });

  it('a cancel made through the running bot is not shown again at the next start', async () => {
    const job = await h.register();
    await h.event(job.id, 'started', 'up');
    await h.people.command('U0ALICE', `cancel ${job.id}`);
    await h.settle();
    expect(cancelsOf(job.id)).toHaveLength(1);
    const before = h.port.messages.length;
    h.restartChat();
    await h.settle();
    expect(h.port.messages.length).toBe(before);
  });

  it('a job cancelled before the upgrade (migration 11) is not announced', async () => {
    const { job } = await jobWaitingThenBotDown();
    h.registry.cancel(job.id, 'cancelled by cli:carol');
    // As if this database were at version 10 when the cancel happened, then upgraded.
    h.db.exec(
      `DELETE FROM chat_deliveries WHERE seq = -1; PRAGMA user_version = ${BOT_MIGRATIONS.length - 1}`,
    );
    migrate(h.db, BOT_MIGRATIONS);
    const before = h.port.messages.length;
    h.restartChat();
    await h.settle();
    expect(cancelsOf(job.id)).toHaveLength(0);
    expect(h.port.threadText(job.id).at(-1)).not.toContain('Cancelled');
    expect(h.port.messages.length).toBe(before);
  });

  it('a decision made with no bot closes the request message when the chat core starts', async () => {
    const { job, request } = await jobWaitingThenBotDown();
    decide(h.registry, h.clock, 'hermes', {
      jobId: job.id,
      requestId: 'r-1',
      decision: 'approve',
      by: 'cli:carol',
    });
    h.restartChat();
    await h.settle();
    expect(plainText(h.port.find(request.ref)!.content)).toContain('Approved by cli:carol');
  });
});
