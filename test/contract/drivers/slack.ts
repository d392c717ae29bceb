/**
 * The Slack adapter as a contract driver: its port over the real WebClient and its inbound side on
 * the real Bolt app (Socket Mode), against the Slack stand-in. Messages are read back from the
 * stand-in's workspace and decoded the way Slack renders mrkdwn.
 */
import { createSlackApp, startSlackApp } from '../../../adapters/slack/app.js';
import { registerInbound } from '../../../adapters/slack/inbound.js';
import { SlackChatPort } from '../../../adapters/slack/port.js';
import type { SlackSettings } from '../../../adapters/slack/settings.js';
import { UserGroups } from '../../../adapters/slack/user-groups.js';
import { emptyPolicy } from '../../../src/chat/access.js';
import type { ActionId } from '../../../src/chat/port.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { SLACK, startSlackFake } from '../../fakes/slack/index.js';
import type { ChatPortDriver, DriverFactory } from '../chat-port.contract.js';

interface TextObject {
  type?: string;
  text?: string;
  verbatim?: boolean;
}

/** Every text object (mrkdwn / plain_text) in a Block Kit tree. */
function textObjects(v: unknown, out: TextObject[] = []): TextObject[] {
  if (Array.isArray(v)) for (const x of v) textObjects(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string' && typeof o.type === 'string') out.push(o as TextObject);
    for (const x of Object.values(o)) if (typeof x === 'object') textObjects(x, out);
  }
  return out;
}

/** What Slack shows for a mrkdwn string. */
export function decodeMrkdwn(s: string): string {
  return s
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<!subteam\^([A-Z0-9]+)>/g, '@$1')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]*)>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Whom / what a mrkdwn string would notify or link, the way Slack parses it. */
export function mrkdwnEffects(s: string, verbatim: boolean): { pings: string[]; links: string[] } {
  const pings = [
    ...[...s.matchAll(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g)].map((m) => m[1]!),
    ...[...s.matchAll(/<!subteam\^(S[A-Z0-9]+)(\|[^>]*)?>/g)].map((m) => m[1]!),
    ...[...s.matchAll(/<!(channel|here|everyone)(\|[^>]*)?>/g)].map((m) => m[1]!),
  ];
  const links = [...s.matchAll(/<(https?:[^|>]+)(\|[^>]*)?>/g)].map((m) => m[1]!);
  if (!verbatim) {
    // Without verbatim Slack parses bare mentions and URLs too.
    for (const m of s.matchAll(/(^|\s)@(channel|here|everyone)\b/g)) pings.push(m[2]!);
    for (const m of s.matchAll(/(?<![<|])\bhttps?:\/\/[^\s<>|]+/g)) links.push(m[0]);
  }
  return { pings, links };
}

export const slackDriver: DriverFactory = async (core) => {
  const slack = await startSlackFake();
  const settings: SlackSettings = {
    mode: 'socket',
    port: 0,
    apiUrl: slack.api.url,
    botToken: 'xoxb-fake-bot',
    appToken: 'xapp-fake-app',
    signingSecret: undefined,
    policy: { ...emptyPolicy, allowEveryone: true },
    defaultChannel: undefined,
  };
  const { app } = await createSlackApp(settings, silentLogger, { retryConfig: { retries: 0 } });
  registerInbound(app, {
    core,
    client: app.client,
    groups: new UserGroups(app.client, [], systemClock, silentLogger),
    log: silentLogger,
  });
  await startSlackApp(app, settings);
  const port = new SlackChatPort(app.client);
  const responseUrlOwner = new Map<string, string>();
  const userRef = (id: string) => ({ id, username: id.toLowerCase() });

  const driver: ChatPortDriver = {
    port,
    channel: SLACK.channelId,
    canPing: true,
    hasButtons: true,
    users: ['U0CONTRACT1', 'U0CONTRACT2'],
    async read(ref) {
      const m = slack.api.workspace.message(ref.channel, ref.id);
      if (!m) throw new Error(`no message ${ref.channel}/${ref.id}`);
      const objects = textObjects(m.blocks);
      const pings: string[] = [];
      const links: string[] = [];
      for (const o of [...objects, { type: 'mrkdwn', text: m.text ?? '', verbatim: true }]) {
        if (o.type !== 'mrkdwn') continue;
        const fx = mrkdwnEffects(o.text ?? '', o.verbatim === true);
        pings.push(...fx.pings);
        links.push(...fx.links);
      }
      const buttons = (
        (m.blocks ?? []) as Array<{ type: string; elements?: Array<{ type: string; action_id: string }> }>
      )
        .filter((b) => b.type === 'actions')
        .flatMap((b) =>
          (b.elements ?? [])
            .filter((e) => e.type === 'button')
            .map((e) => e.action_id.replace(/^hermes:/, '') as ActionId),
        );
      return {
        text: objects
          .map((o) => (o.type === 'mrkdwn' ? decodeMrkdwn(o.text ?? '') : (o.text ?? '')))
          .join('\n'),
        buttons,
        pings,
        links,
        thread: m.thread_ts ? { channel: m.channel, id: m.thread_ts } : undefined,
      };
    },
    inbound: {
      async command(user, text) {
        const payload = slack.payloads.slashCommand({ text, user: userRef(user) });
        responseUrlOwner.set(new URL(payload.response_url!).pathname, user);
        await slack.socket.send('slash_commands', payload);
      },
      async click(ref, action, user) {
        const m = slack.api.workspace.message(ref.channel, ref.id)!;
        const button = (
          (m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>
        )
          .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
          .find((e) => e.action_id === `hermes:${action}`);
        if (!button) throw new Error(`no ${action} button`);
        await slack.socket.send(
          'interactive',
          slack.payloads.blockActions({
            actionId: button.action_id,
            value: button.value,
            messageTs: ref.id,
            channelId: ref.channel,
            user: userRef(user),
            ...(m.thread_ts ? { threadTs: m.thread_ts } : {}),
          }),
        );
      },
      async submitReason(user, reason) {
        const open = slack.api.calls.filter((c) => c.method === 'views.open').at(-1);
        if (!open) throw new Error('no modal was opened');
        await slack.socket.send(
          'interactive',
          slack.payloads.viewSubmission({
            callbackId: 'hermes:reason',
            privateMetadata: (open.args.view as { private_metadata: string }).private_metadata,
            values: { reason: { reason: { type: 'plain_text_input', value: reason } } },
            user: userRef(user),
          }),
        );
      },
      async privateTo(user) {
        return slack.api.calls
          .filter(
            (c) =>
              (c.method === 'response_url' && responseUrlOwner.get(c.path) === user) ||
              (c.method === 'chat.postEphemeral' && c.args.user === user),
          )
          .map((c) => decodeMrkdwn(String(c.args.text ?? '')));
      },
    },
    async close() {
      await app.stop();
      await slack.close();
    },
  };
  return driver;
};
