/** A 429 with Retry-After from the stand-in: waited out, and the permission request and the announcement still arrive. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK } from '../../fakes/slack/index.js';
import { waitFor } from '../../helpers/wait.js';
import { buttonsOf, type SlackBot, startSlackBot } from './support.js';

let bot: SlackBot;
beforeEach(async () => {
  bot = await startSlackBot('socket');
});
afterEach(async () => {
  await bot.stop();
});

describe('Slack rate limits', () => {
  it('honours Retry-After and never drops a permission request or a terminal notification', async () => {
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: 'register demo x' }),
    );
    await bot.slack.api.waitForCall('chat.postMessage');
    const job = bot.ctx.registry.list()[0]!;

    bot.slack.api.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    bot.event(job.id, 'permission_required', undefined, { request_id: 'r-1', tool: 'Bash', input: {} });
    const asked = await bot.slack.api.waitForCall(
      'chat.postMessage',
      (c) => c.status === 200 && buttonsOf(c.args.blocks).length > 0,
    );
    expect(asked.at - t0).toBeGreaterThanOrEqual(900);
    expect(bot.calls('chat.postMessage').map((c) => c.status)).toEqual([200, 429, 200]);

    bot.slack.api.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    bot.slack.api.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    bot.event(job.id, 'error', 'crashed');
    const announced = await bot.slack.api.waitForCall(
      'chat.postMessage',
      (c) => c.status === 200 && c.args.thread_ts === undefined && String(c.args.text).includes('error'),
      10_000,
    );
    expect(announced.args.channel).toBe(SLACK.channelId);
    await waitFor(() => bot.calls('chat.postMessage').filter((c) => c.status === 200).length === 4, {
      timeoutMs: 5000,
      message: '4 posts',
    });
    const posts = bot.calls('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.filter((c) => String(c.args.text).includes('ended with an error'))).toHaveLength(2);
  });
});
