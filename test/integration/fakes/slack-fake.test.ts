/**
 * Proves the Slack stand-ins against the real @slack/bolt App: Socket Mode (slash command, button,
 * modal submission, reconnect), HTTP mode with request signing, Web API retry on 429, and a clear
 * failure when auth.test fails. Adapter tests build on exactly these set-ups.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { within } from '../../fakes/shared/within.js';
import {
  interactionForm,
  SLACK,
  type SlackFake,
  signedPost,
  slashCommandForm,
  startSlackFake,
} from '../../fakes/slack/index.js';

const SIGNING_SECRET = 'fake-signing-secret';

let slack: SlackFake;
let apps: App[] = [];

beforeEach(async () => {
  slack = await startSlackFake();
  apps = [];
});

afterEach(async () => {
  await Promise.all(apps.map((app) => app.stop().catch(() => undefined)));
  await slack.close();
});

function socketModeApp(): App {
  const app = new App({
    token: 'xoxb-fake-bot',
    appToken: 'xapp-fake-app',
    socketMode: true,
    deferInitialization: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: slack.api.url },
  });
  apps.push(app);
  return app;
}

describe('Socket Mode', () => {
  it('delivers /hermes to app.command; the ack goes back and chat.postMessage is recorded', async () => {
    const app = socketModeApp();
    app.command('/hermes', async ({ ack, command, client }) => {
      await ack();
      await client.chat.postMessage({ channel: command.channel_id, text: `registering ${command.text}` });
    });
    await app.init();
    await app.start();

    const ack = await slack.socket.send(
      'slash_commands',
      slack.payloads.slashCommand({ text: 'register claude fix it' }),
    );
    expect(ack).toEqual({});
    const call = await slack.api.waitForCall('chat.postMessage');
    expect(call.args).toMatchObject({ channel: SLACK.channelId, text: 'registering register claude fix it' });
    expect(call.token).toBe('xoxb-fake-bot');
    expect(slack.api.calls.map((c) => c.method)).toEqual([
      'auth.test',
      'apps.connections.open',
      'chat.postMessage',
    ]);
    expect(slack.api.calls[1]!.token).toBe('xapp-fake-app');
  });

  it('delivers block_actions to app.action with action_id, value and the message ts', async () => {
    const app = socketModeApp();
    const seen: Array<{ value: string | undefined; ts: string | undefined; user: string }> = [];
    app.action('approve', async ({ ack, action, body }) => {
      const button = action as { value?: string };
      const message = (body as { message?: { ts?: string } }).message;
      seen.push({ value: button.value, ts: message?.ts, user: body.user.id });
      await ack();
    });
    await app.init();
    await app.start();

    const payload = slack.payloads.blockActions({
      actionId: 'approve',
      value: 'r-123',
      messageTs: '1700000000.000100',
    });
    await slack.socket.send('interactive', payload);
    expect(seen).toEqual([{ value: 'r-123', ts: '1700000000.000100', user: SLACK.user.id }]);
  });

  it('delivers view_submission to app.view; ack({ response_action }) comes back in the ack payload', async () => {
    const app = socketModeApp();
    app.view('register', async ({ ack, view }) => {
      const prompt = view.state.values.prompt?.value?.value;
      await ack({
        response_action: 'errors',
        errors: { prompt: `got ${prompt} for ${view.private_metadata}` },
      });
    });
    await app.init();
    await app.start();

    const ack = await slack.socket.send(
      'interactive',
      slack.payloads.viewSubmission({
        callbackId: 'register',
        privateMetadata: 'C0JOBS0001',
        values: { prompt: { value: { type: 'plain_text_input', value: 'fix the build' } } },
      }),
    );
    expect(ack).toEqual({
      response_action: 'errors',
      errors: { prompt: 'got fix the build for C0JOBS0001' },
    });
  });

  it('delivers an events_api app_mention to app.event (Bolt acks events itself)', async () => {
    const app = socketModeApp();
    // Bolt acks an event before its listener runs, so the ack cannot tell the test the listener ran.
    const mentioned = new Promise<string>((resolve) => {
      app.event('app_mention', async ({ event }) => resolve(event.text));
    });
    await app.init();
    await app.start();
    const mention = {
      type: 'app_mention',
      user: SLACK.user.id,
      text: `<@${SLACK.botUserId}> status`,
      ts: '1700000000.000300',
      channel: SLACK.channelId,
    };
    expect(await slack.socket.send('events_api', slack.payloads.eventCallback(mention))).toEqual({});
    expect(await within(mentioned, 5000, 'the app_mention listener')).toBe(`<@${SLACK.botUserId}> status`);
  });

  it('reconnects after a disconnect message and keeps delivering', async () => {
    // Bolt's default receiver waits clientPingTimeout (5 s) before reconnecting; a custom one is faster.
    const receiver = new SocketModeReceiver({
      appToken: 'xapp-fake-app',
      clientPingTimeout: 1500,
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: slack.api.url } },
    });
    const app = new App({
      token: 'xoxb-fake-bot',
      receiver,
      deferInitialization: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.api.url },
    });
    apps.push(app);
    let handled = 0;
    app.command('/hermes', async ({ ack }) => {
      handled += 1;
      await ack();
    });
    await app.init();
    await app.start();

    slack.socket.disconnect();
    await slack.socket.waitForConnections(2);
    await slack.socket.send('slash_commands', slack.payloads.slashCommand({ text: 'status' }));
    expect(handled).toBe(1);
    expect(slack.api.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(2);
  });
});

describe('HTTP mode with request signing', () => {
  async function httpApp(): Promise<{ app: App; url: string }> {
    const app = new App({
      token: 'xoxb-fake-bot',
      signingSecret: SIGNING_SECRET,
      processBeforeResponse: true,
      deferInitialization: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.api.url },
    });
    apps.push(app);
    await app.init();
    const server = (await app.start(0)) as Server;
    return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` };
  }

  it('accepts a signed slash command, returns the ack body, and respond() reaches the response_url', async () => {
    const { app, url } = await httpApp();
    app.command('/hermes', async ({ ack, respond }) => {
      await ack({ text: 'working on it' });
      await respond({ response_type: 'ephemeral', text: 'done' });
    });
    const fields = slack.payloads.slashCommand({ text: 'list' });
    const result = await signedPost(url, SIGNING_SECRET, slashCommandForm(fields));
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ text: 'working on it' });
    const responded = await slack.api.waitForCall('response_url');
    expect(responded.args).toEqual({ response_type: 'ephemeral', text: 'done' });
    expect(`${slack.api.origin}${responded.path}`).toBe(fields.response_url);
  });

  it('delivers a signed block_actions payload= body to app.action', async () => {
    const { app, url } = await httpApp();
    const values: string[] = [];
    app.action('deny', async ({ ack, action }) => {
      await ack();
      values.push((action as { value: string }).value);
    });
    const body = interactionForm(
      slack.payloads.blockActions({ actionId: 'deny', value: 'r-9', messageTs: '1700000000.000200' }),
    );
    expect((await signedPost(url, SIGNING_SECRET, body)).status).toBe(200);
    expect(values).toEqual(['r-9']);
  });

  it('refuses a bad signature and a stale timestamp with 401, without running the listener', async () => {
    const { app, url } = await httpApp();
    let ran = false;
    app.command('/hermes', async ({ ack }) => {
      ran = true;
      await ack();
    });
    const body = slashCommandForm(slack.payloads.slashCommand({ text: 'list' }));
    expect((await signedPost(url, 'wrong-secret', body)).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await signedPost(url, SIGNING_SECRET, body, undefined, { timestamp: stale })).status).toBe(401);
    expect(ran).toBe(false);
  });
});

describe('Web API behaviour', () => {
  it('retries a 429 after its Retry-After and then succeeds', async () => {
    const app = new App({
      token: 'xoxb-fake-bot',
      signingSecret: SIGNING_SECRET,
      deferInitialization: true,
      logLevel: LogLevel.ERROR,
      clientOptions: {
        slackApiUrl: slack.api.url,
        retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
      },
    });
    const rateLimited: number[] = [];
    app.client.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfter: number) => rateLimited.push(retryAfter));
    slack.api.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

    const result = await app.client.chat.postMessage({ channel: SLACK.channelId, text: 'hello' });
    expect(result.ok).toBe(true);
    expect(rateLimited).toEqual([1]);
    expect(slack.api.calls.map((c) => [c.method, c.status])).toEqual([
      ['chat.postMessage', 429],
      ['chat.postMessage', 200],
    ]);
  });

  it('makes app.init() reject with the platform error when auth.test fails', async () => {
    slack.api.failNext('auth.test', { error: 'invalid_auth' });
    const app = socketModeApp();
    await expect(app.init()).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'invalid_auth' },
    });
  });

  it('answers like Slack for unknown methods, wrong token types and unknown messages', async () => {
    const app = socketModeApp();
    await app.init();
    await expect(app.client.apiCall('hermes.nonsense')).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    await expect(
      app.client.chat.update({ channel: SLACK.channelId, ts: '1700000000.000100', text: 'x' }),
    ).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(
      app.client.chat.postMessage({ token: 'xapp-fake-app', channel: SLACK.channelId, text: 'x' }),
    ).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
  });
});
