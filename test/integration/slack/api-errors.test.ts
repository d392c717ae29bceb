/**
 * What a person reads when Slack refuses a post: Slack's error code and what it means, as
 * docs/slack.md's troubleshooting table quotes it (not the WebClient's "An API error occurred").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackCallError } from '../../../adapters/slack/api-errors.js';
import { signedPost, slashCommandForm } from '../../fakes/slack/index.js';
import { SIGNING_SECRET, type SlackBot, startSlackBot } from './support.js';

let bot: SlackBot;
beforeEach(async () => {
  bot = await startSlackBot('http');
});
afterEach(async () => {
  await bot.stop();
});

describe('Slack API errors in chat', () => {
  it('registering where the bot is not a member: the job is cancelled and the reply says why', async () => {
    bot.slack.api.failNext('chat.postMessage', { error: 'not_in_channel' });
    const form = slashCommandForm(bot.slack.payloads.slashCommand({ text: 'register demo tidy' }));
    expect((await signedPost(bot.url!, SIGNING_SECRET, form)).status).toBe(200);
    const reply = await bot.slack.api.waitForCall('response_url');
    const job = bot.ctx.registry.list()[0]!;
    expect(String(reply.args.text)).toBe(
      `Could not post in this channel (Slack said not_in_channel: the bot is not a member of this channel), so job ${job.id} was cancelled. Is the bot invited here?`,
    );
    expect(job.status).toBe('cancelled');
  });

  it('unknown codes keep the code; other errors pass through', () => {
    const platform = Object.assign(new Error('An API error occurred: fatal_error'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'fatal_error' },
    });
    expect(slackCallError(platform).message).toBe('Slack said fatal_error');
    const plain = new Error('boom');
    expect(slackCallError(plain)).toBe(plain);
  });
});
