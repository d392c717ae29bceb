/**
 * The Web API stand-in's Slack-like answers, seen through the real WebClient (Bolt's re-export):
 * modal trigger and hash rules, permalinks into threads, directory lookups, token checks, a 500
 * retried, response_url recording. Adapter tests rely on these answers being Slack's.
 */
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK, type SlackFake, startSlackFake } from '../../fakes/slack/index.js';

let slack: SlackFake;
const client = (token = 'xoxb-fake-bot', retries = 0) =>
  new webApi.WebClient(token, {
    slackApiUrl: slack.api.url,
    logLevel: webApi.LogLevel.ERROR,
    retryConfig: { retries, factor: 1, minTimeout: 5, maxTimeout: 5 },
  });

const modal = {
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: 'Register' },
  blocks: [],
};

beforeEach(async () => {
  slack = await startSlackFake({
    usergroups: { S0APPROVERS: [SLACK.user.id] },
    users: { U0BOB00001: { name: 'bob', real_name: 'Bob' } },
  });
});

afterEach(async () => {
  await slack.close();
});

describe('Slack Web API stand-in checks', () => {
  it('opens a modal once per trigger_id and refuses a stale hash on update', async () => {
    const web = client();
    const opened = await web.views.open({
      trigger_id: 'trigger-1',
      view: { ...modal, private_metadata: 'C1' },
    });
    expect(opened.view).toMatchObject({ private_metadata: 'C1', type: 'modal' });
    await expect(web.views.open({ trigger_id: 'trigger-1', view: modal })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    const viewId = opened.view!.id!;
    const updated = await web.views.update({ view_id: viewId, hash: opened.view!.hash!, view: modal });
    await expect(
      web.views.update({ view_id: viewId, hash: opened.view!.hash!, view: modal }),
    ).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    expect(updated.view?.id).toBe(viewId);
    expect(slack.api.calls.find((c) => c.method === 'views.open')!.args.view).toMatchObject({
      private_metadata: 'C1',
    });
  });

  it('posts, edits and links to thread replies like Slack', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: SLACK.channelId, text: 'job j-1', blocks: [] });
    const reply = await web.chat.postMessage({
      channel: SLACK.channelId,
      text: 'started',
      thread_ts: parent.ts!,
    });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    const edited = await web.chat.update({ channel: SLACK.channelId, ts: reply.ts!, text: 'progress 50%' });
    expect(edited.message).toMatchObject({ text: 'progress 50%', thread_ts: parent.ts });
    const link = await web.chat.getPermalink({ channel: SLACK.channelId, message_ts: reply.ts! });
    expect(link.permalink).toBe(
      `https://${SLACK.teamDomain}.slack.com/archives/${SLACK.channelId}/p${reply.ts!.replace('.', '')}?thread_ts=${parent.ts}&cid=${SLACK.channelId}`,
    );
    expect(slack.api.calls[0]!.args.blocks).toEqual([]);
    await expect(web.chat.postMessage({ channel: SLACK.channelId, text: '' })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
  });

  it('answers directory lookups from its configuration', async () => {
    const web = client();
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual([SLACK.user.id]);
    expect((await web.users.info({ user: 'U0BOB00001' })).user).toMatchObject({ name: 'bob', is_bot: false });
    expect((await web.conversations.info({ channel: SLACK.channelId })).channel).toMatchObject({
      name: SLACK.channelName,
    });
    await expect(web.usergroups.users.list({ usergroup: 'S0NOPE' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    await expect(web.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('retries a 500 and records both attempts', async () => {
    slack.api.failNext('chat.postEphemeral', { status: 500 });
    const result = await client('xoxb-fake-bot', 1).chat.postEphemeral({
      channel: SLACK.channelId,
      user: SLACK.user.id,
      text: 'only you can see this',
    });
    expect(result.ok).toBe(true);
    expect(slack.api.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('checks tokens: missing, not in validTokens, or an app token for a bot method', async () => {
    await slack.close();
    slack = await startSlackFake({ validTokens: ['xoxb-good', 'xapp-good'] });
    await expect(client('xoxb-bad').auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client('xoxb-good').apps.connections.open()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    expect((await client('xapp-good').apps.connections.open()).url).toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/,
    );
    await expect(
      new webApi.WebClient(undefined, {
        slackApiUrl: slack.api.url,
        retryConfig: { retries: 0 },
      }).auth.test(),
    ).rejects.toMatchObject({
      data: { error: 'not_authed' },
    });
  });
});
