/** The real Bolt app in Socket Mode against the stand-in: envelopes in, acks and Web API calls out. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantedRulesOf } from '../../../src/jobs/granted-rules.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { SLACK } from '../../fakes/slack/index.js';
import { waitFor } from '../../helpers/wait.js';
import { APPROVER, blockTexts, buttonsOf, type SlackBot, startSlackBot } from './support.js';

let bot: SlackBot;
beforeEach(async () => {
  bot = await startSlackBot('socket');
});
afterEach(async () => {
  await bot.stop();
});

describe('Slack adapter, Socket Mode', () => {
  it('connects with the app token and handles a whole approval through envelopes', async () => {
    expect(bot.calls('apps.connections.open')[0]!.token).toBe('xapp-fake-app');
    const ack = await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: 'register demo "tidy it"' }),
    );
    expect(ack).toEqual({});
    const card = await bot.slack.api.waitForCall('chat.postMessage');
    const ts = (card.response as { ts: string }).ts;
    const job = bot.ctx.registry.list()[0]!;
    expect(job.prompt).toBe('tidy it');

    bot.event(job.id, 'started', 'up');
    bot.event(job.id, 'permission_required', undefined, {
      request_id: 'r-1',
      tool: 'Write',
      input: { file_path: 'README.md' },
    });
    const msg = await bot.slack.api.waitForCall(
      'chat.postMessage',
      (c) => buttonsOf(c.args.blocks).length > 0,
    );
    expect(msg.args.thread_ts).toBe(ts);
    const msgTs = (msg.response as { ts: string }).ts;

    await bot.slack.socket.send(
      'interactive',
      bot.slack.payloads.blockActions({
        actionId: 'hermes:approve_job',
        value: `${job.id} r-1`,
        messageTs: msgTs,
        threadTs: ts,
        user: { id: APPROVER.id, username: APPROVER.username },
      }),
    );
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-1')!.status === 'approved', {
      timeoutMs: 5000,
      message: 'approved',
    });
    // The button's rule was kept server-side: the click grants it.
    expect(grantedRulesOf(bot.ctx.db, job.id)).toMatchObject([
      { kind: 'allow', rule: 'Edit(./*)', granted_by: `slack:${APPROVER.id}`, request_id: 'r-1' },
    ]);
    const update = await bot.slack.api.waitForCall('chat.update', (c) => c.args.ts === msgTs);
    expect(blockTexts(update.args.blocks).join('\n')).toContain('allowing `Edit(./*)` for this job');

    bot.event(job.id, 'completed', 'done');
    const announced = await bot.slack.api.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === undefined && String(c.args.text).includes('completed'),
    );
    expect(announced.args.channel).toBe(SLACK.channelId);
    expect(blockTexts(announced.args.blocks).join('\n')).toMatch(
      /<https:\/\/hermes-test\.slack\.com\/archives\/C0JOBS0001\/p\d+\|open the thread>/,
    );
  });

  it('the reason modal comes back as a view_submission envelope and is acked', async () => {
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: 'register demo x' }),
    );
    const card = await bot.slack.api.waitForCall('chat.postMessage');
    const ts = (card.response as { ts: string }).ts;
    const job = bot.ctx.registry.list()[0]!;
    bot.event(job.id, 'permission_required', undefined, { request_id: 'r-1', tool: 'Bash', input: {} });
    const msg = await bot.slack.api.waitForCall(
      'chat.postMessage',
      (c) => buttonsOf(c.args.blocks).length > 0,
    );
    await bot.slack.socket.send(
      'interactive',
      bot.slack.payloads.blockActions({
        actionId: 'hermes:deny',
        value: `${job.id} r-1`,
        messageTs: (msg.response as { ts: string }).ts,
        threadTs: ts,
      }),
    );
    const open = await bot.slack.api.waitForCall('views.open');
    const ack = await bot.slack.socket.send(
      'interactive',
      bot.slack.payloads.viewSubmission({
        callbackId: 'hermes:reason',
        privateMetadata: (open.args.view as { private_metadata: string }).private_metadata,
        values: { reason: { reason: { type: 'plain_text_input', value: null } } },
      }),
    );
    expect(ack).toEqual({});
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-1')!.status === 'denied', {
      timeoutMs: 5000,
      message: 'denied',
    });
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')!.reason).toBeNull();
  });

  it('/hermes deny … --rule: the request denied with its reason and the rule kept for the job', async () => {
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: 'register demo x' }),
    );
    await bot.slack.api.waitForCall('chat.postMessage');
    const job = bot.ctx.registry.list()[0]!;
    bot.event(job.id, 'permission_required', undefined, {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'rm -r build' },
    });
    await bot.slack.api.waitForCall('chat.postMessage', (c) => buttonsOf(c.args.blocks).length > 0);
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: `deny ${job.id} r-1 --rule “Bash(rm:*)” keep it` }),
    );
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-1')!.status === 'denied', {
      timeoutMs: 5000,
      message: 'denied',
    });
    expect(permissionRequest(bot.ctx.db, job.id, 'r-1')!.reason).toBe('keep it');
    expect(grantedRulesOf(bot.ctx.db, job.id)).toMatchObject([{ kind: 'deny', rule: 'Bash(rm:*)' }]);
    bot.event(job.id, 'permission_required', undefined, {
      request_id: 'r-2',
      tool: 'Bash',
      input: { command: 'rm -rf dist' },
    });
    await waitFor(() => permissionRequest(bot.ctx.db, job.id, 'r-2')?.status === 'denied', {
      timeoutMs: 5000,
      message: 'auto-denied',
    });
  });

  it('bad input gets usage help privately through the response_url', async () => {
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: 'registr demo x' }),
    );
    const reply = await bot.slack.api.waitForCall('response_url');
    expect(reply.args.response_type).toBe('ephemeral');
    expect(String(reply.args.text)).toContain('unknown command');
    expect(bot.calls('chat.postMessage')).toEqual([]);
  });
});
