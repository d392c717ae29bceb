/** The real Bolt app in HTTP mode against the Slack stand-in: signed slash commands and interactions. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { permissionRequest } from '../../../src/jobs/queries.js';
import type { SlackUserRef } from '../../fakes/slack/ids.js';
import { interactionForm, SLACK, signedPost, slashCommandForm } from '../../fakes/slack/index.js';
import { waitFor } from '../../helpers/wait.js';
import {
  APPROVER,
  blockTexts,
  buttonsOf,
  ONCALL,
  SIGNING_SECRET,
  type SlackBot,
  STRANGER,
  startSlackBot,
} from './support.js';

let bot: SlackBot;
beforeEach(async () => {
  bot = await startSlackBot('http');
});
afterEach(async () => {
  await bot.stop();
});

const post = (body: string) => signedPost(bot.url!, SIGNING_SECRET, body);

async function register(text = 'register demo tidy the README') {
  const res = await post(slashCommandForm(bot.slack.payloads.slashCommand({ text })));
  expect(res.status).toBe(200);
  const card = await bot.slack.api.waitForCall('chat.postMessage', (c) => c.args.thread_ts === undefined);
  const job = bot.ctx.registry.list().at(-1)!;
  return { job, card, ts: (card.response as { ts: string }).ts };
}

async function pendingRequest() {
  const r = await register();
  bot.event(r.job.id, 'permission_required', 'run the tests', {
    request_id: 'r-1',
    tool: 'Bash',
    input: { command: 'npm test' },
  });
  const msg = await bot.slack.api.waitForCall(
    'chat.postMessage',
    (c) => c.args.thread_ts === r.ts && buttonsOf(c.args.blocks).length > 0,
  );
  return { ...r, msg, msgTs: (msg.response as { ts: string }).ts };
}

const click = (
  actionId: string,
  value: string,
  messageTs: string,
  threadTs: string,
  user: SlackUserRef = SLACK.user,
) => post(interactionForm(bot.slack.payloads.blockActions({ actionId, value, messageTs, threadTs, user })));

describe('Slack adapter, HTTP mode', () => {
  it('a signed /hermes register posts the job card and answers the sender privately', async () => {
    const { job, card } = await register();
    expect(job).toMatchObject({
      owner: `slack:${SLACK.user.id}`,
      profile: 'demo',
      prompt: 'tidy the README',
    });
    expect(card.args).toMatchObject({
      channel: SLACK.channelId,
      unfurl_links: 'false',
      unfurl_media: 'false',
    });
    // The owner is named, not pinged: Slack notifies every <@U…> token.
    const cardText = blockTexts(card.args.blocks).join('\n');
    expect(cardText).toContain(`@${SLACK.user.id}`);
    expect(cardText).not.toMatch(/<@|<!subteam/);
    const reply = await bot.slack.api.waitForCall('response_url');
    expect(reply.args).toMatchObject({ response_type: 'ephemeral' });
    expect(String(reply.args.text)).toContain(`Registered ${job.id}`);
    expect(bot.ctx.registry.require(job.id).chat).toMatchObject({
      platform: 'slack',
      channel: SLACK.channelId,
    });
  });

  it('takes the command text as typed: Slack entities are decoded', async () => {
    const { job } = await register('register demo make a &lt;b&gt; tag &amp; test it');
    expect(job.prompt).toBe('make a <b> tag & test it');
  });

  it('refuses a bad signature with 401 and registers nothing', async () => {
    const body = slashCommandForm(bot.slack.payloads.slashCommand({ text: 'register demo x' }));
    expect((await signedPost(bot.url!, 'not-the-secret', body)).status).toBe(401);
    expect((await signedPost(bot.url!, SIGNING_SECRET, body, undefined, { signature: 'v0=00' })).status).toBe(
      401,
    );
    expect(bot.ctx.registry.list()).toEqual([]);
    expect(bot.calls('chat.postMessage')).toEqual([]);
  });

  it('permission request in the thread with three buttons; Approve decides and the message is updated in place', async () => {
    const { job, msg, msgTs, ts } = await pendingRequest();
    // "Who may answer" names the owner, the approver and the group without pinging any of them.
    const asked = blockTexts(msg.args.blocks).join('\n');
    expect(asked).toContain(`@${APPROVER.id}`);
    expect(asked).toContain('@S0ONCALL01');
    expect(asked).not.toMatch(/<@|<!subteam/);
    expect(buttonsOf(msg.args.blocks)).toEqual([
      { action_id: 'hermes:approve', value: `${job.id} r-1` },
      { action_id: 'hermes:approve_job', value: `${job.id} r-1` },
      { action_id: 'hermes:deny', value: `${job.id} r-1` },
    ]);
    expect(
      (
        await click('hermes:approve', `${job.id} r-1`, msgTs, ts, {
          id: APPROVER.id,
          username: APPROVER.username,
        })
      ).status,
    ).toBe(200);
    const update = await bot.slack.api.waitForCall('chat.update', (c) => c.args.ts === msgTs);
    expect(buttonsOf(update.args.blocks)).toEqual([]);
    expect(blockTexts(update.args.blocks).join('\n')).toContain(`Approved* by @${APPROVER.id}`);
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')).toMatchObject({
      status: 'approved',
      decided_by: `slack:${APPROVER.id}`,
    });
  });

  it('Deny opens the reason modal; the submission denies with the reason', async () => {
    const { job, msgTs, ts } = await pendingRequest();
    await click('hermes:deny', `${job.id} r-1`, msgTs, ts);
    const open = await bot.slack.api.waitForCall('views.open');
    const view = open.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('hermes:reason');
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')!.status).toBe('pending');
    const submission = bot.slack.payloads.viewSubmission({
      callbackId: 'hermes:reason',
      privateMetadata: view.private_metadata,
      values: { reason: { reason: { type: 'plain_text_input', value: 'not during the freeze' } } },
    });
    expect((await post(interactionForm(submission))).status).toBe(200);
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-1')!.status === 'denied', {
      timeoutMs: 5000,
      message: 'denied',
    });
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')!.reason).toBe('not during the freeze');
    const update = await bot.slack.api.waitForCall('chat.update', (c) => c.args.ts === msgTs);
    expect(blockTexts(update.args.blocks).join('\n')).toContain('not during the freeze');
  });

  it('a stranger gets a private refusal in the thread and nothing is decided; a user-group approver may decide', async () => {
    const { job, msgTs, ts } = await pendingRequest();
    await click('hermes:approve', `${job.id} r-1`, msgTs, ts, STRANGER);
    const refusal = await bot.slack.api.waitForCall('chat.postEphemeral');
    expect(refusal.args).toMatchObject({ user: STRANGER.id, channel: SLACK.channelId, thread_ts: ts });
    expect(String(refusal.args.text)).toContain('You may not answer');
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')!.status).toBe('pending');

    await click('hermes:approve', `${job.id} r-1`, msgTs, ts, ONCALL);
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-1')!.status === 'approved', {
      timeoutMs: 5000,
      message: 'approved',
    });
    expect(bot.calls('usergroups.users.list')[0]!.args).toMatchObject({ usergroup: 'S0ONCALL01' });
  });

  it('agent text is escaped: no <!channel>, <@U…> or links, and text objects are verbatim', async () => {
    const { job, ts } = await register();
    bot.event(
      job.id,
      'started',
      '<!channel> hey <@U0BOSS> see <https://evil.example|here> & http://evil.example',
    );
    const started = await bot.slack.api.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
    const texts = blockTexts(started.args.blocks).join('\n');
    expect(texts).toContain(
      '&lt;!channel&gt; hey &lt;@U0BOSS&gt; see &lt;https://evil.example|here&gt; &amp; http://evil.example',
    );
    expect(texts).not.toMatch(/<!channel>|<@U0BOSS>|<https:/);
    for (const b of started.args.blocks as Array<{ text?: { verbatim?: boolean } }>)
      if (b.text) expect(b.text.verbatim).toBe(true);
  });
});
