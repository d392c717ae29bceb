/**
 * The Discord adapter as a contract driver: its port and its inbound side on the real discord.js
 * Client, against the Discord stand-in. Messages are read back from the stand-in's store and
 * decoded the way Discord renders its markdown; pings are the stand-in's mention resolution
 * (which honours allowed_mentions like Discord).
 */
import { startDiscordApp } from '../../../adapters/discord/app.js';
import { CustomIds, memoryLongValues } from '../../../adapters/discord/custom-ids.js';
import { registerInbound } from '../../../adapters/discord/inbound.js';
import { DiscordChatPort } from '../../../adapters/discord/port.js';
import type { DiscordSettings } from '../../../adapters/discord/settings.js';
import type { ActionId } from '../../../src/chat/port.js';
import { silentLogger } from '../../../src/log.js';
import { DISCORD, startDiscordFake } from '../../fakes/discord/index.js';
import type { ChatPortDriver, DriverFactory } from '../chat-port.contract.js';

type Json = Record<string, unknown>;

/** Splits content into code (verbatim) and markdown segments. */
function segments(content: string): Array<{ code: boolean; text: string }> {
  const out: Array<{ code: boolean; text: string }> = [];
  const re = /```\n?([\s\S]*?)\n?```|`([^`]*)`/g;
  let last = 0;
  for (const m of content.matchAll(re)) {
    if (m.index > last) out.push({ code: false, text: content.slice(last, m.index) });
    out.push({ code: true, text: (m[1] ?? m[2] ?? '').replaceAll('\u200b', '') });
    last = m.index + m[0].length;
  }
  if (last < content.length) out.push({ code: false, text: content.slice(last) });
  return out;
}

/** What a Discord reader sees for a markdown segment. */
export function decodeMarkdown(s: string): string {
  return s
    .replace(/^-# /gm, '')
    .replace(/(?<!\\)<@&?(\d+)>/g, '@$1')
    .replace(/(?<!\\)<t:(\d+):\w>/g, (_, n: string) => new Date(Number(n) * 1000).toISOString())
    .replace(/(?<!\\)\[([^\]]*)\]\(<?[^)>]*>?\)/g, '$1')
    .replace(/(?<!\\)(\*\*|__|~~|\|\|)/g, '')
    .replace(/\\([^0-9A-Za-z\s])/g, '$1');
}

/** URLs Discord would make clickable in a markdown segment (masked links and bare URLs). */
export function markdownLinks(s: string): string[] {
  const masked = [...s.matchAll(/(?<!\\)\[[^\]]*\]\(<?(https?:[^)>\s]+)>?\)/g)].map((m) => m[1]!);
  const bare = [...s.matchAll(/(?<![\\<(])\bhttps?:\/\/[^\s<)]+/g)].map((m) => m[0]);
  return [...masked, ...bare];
}

const render = (content: string) =>
  segments(content)
    .map((x) => (x.code ? x.text : decodeMarkdown(x.text)))
    .join('');

export const discordDriver: DriverFactory = async (core) => {
  const fake = await startDiscordFake();
  const settings: DiscordSettings = {
    token: 'fake-contract-token',
    guildId: DISCORD.guildId,
    apiUrl: fake.apiUrl,
    allowEveryone: true,
    allowedUsers: [],
    allowedRoles: [],
    allowedChannels: [],
    approvers: [],
    approverRoles: [],
  };
  const app = await startDiscordApp({ settings, log: silentLogger });
  const ids = new CustomIds(memoryLongValues());
  const inbound = registerInbound(app.client, {
    core,
    ids,
    guildId: DISCORD.guildId,
    profiles: () => [],
    log: silentLogger,
  });
  const port = new DiscordChatPort({
    client: app.client,
    ids,
    log: silentLogger,
    whenConnected: (ms) => app.whenConnected(ms),
  });
  /** interaction id -> who made it. */
  const byUser = new Map<string, string>();
  const user = (id: string) => ({ id, username: `u${id.slice(-4)}` });
  const stored = (channel: string, id: string): Json => {
    const m = fake.state.messages.get(id);
    if (!m || m.channel_id !== channel) throw new Error(`no Discord message ${channel}/${id}`);
    return m;
  };
  const send = (interaction: Json, userId: string) => {
    byUser.set(String(interaction.id), userId);
    fake.sendInteraction(interaction);
  };
  /** Interaction id of a recorded callback or webhook call. */
  const interactionOf = (path: string): string | undefined => {
    const cb = /^\/interactions\/(\d+)\//.exec(path);
    if (cb) return cb[1];
    const wh = /^\/webhooks\/\d+\/([^/]+)/.exec(path);
    return wh ? String(fake.state.interactionByToken(wh[1]!)?.interaction.id) : undefined;
  };

  return {
    port,
    channel: DISCORD.channelId,
    canPing: true,
    hasButtons: true,
    users: ['1180000000000000501', '1180000000000000502'],
    async read(ref) {
      const m = stored(ref.channel, ref.id);
      const content = String(m.content ?? '');
      const links = segments(content).flatMap((x) => (x.code ? [] : markdownLinks(x.text)));
      const pings = [
        ...((m.mentions as Json[] | undefined) ?? []).map((u) => String(u.id)),
        ...((m.mention_roles as string[] | undefined) ?? []),
        ...(m.mention_everyone === true ? ['everyone'] : []),
      ];
      const buttons = ((m.components as Json[] | undefined) ?? [])
        .flatMap((row) => (row.components as Json[] | undefined) ?? [])
        .map((b) => ids.decode(String(b.custom_id))?.kind)
        .filter((k): k is ActionId => k !== undefined && k !== 'reason');
      const channel = fake.state.channels.get(ref.channel);
      const isThread = channel?.type === 11 || channel?.type === 12;
      return {
        text: render(content),
        buttons,
        pings,
        links,
        thread: isThread ? { channel: ref.channel, id: ref.channel } : undefined,
      };
    },
    inbound: {
      async command(userId, text) {
        const [sub, ...rest] = text.split(/\s+/);
        const options: Record<string, string> = rest.length > 0 ? { job: rest.join(' ') } : {};
        send(fake.interactions.slashCommand({ subcommand: sub!, options, user: user(userId) }), userId);
      },
      async click(ref, action, userId) {
        const m = stored(ref.channel, ref.id);
        const customId = ((m.components as Json[] | undefined) ?? [])
          .flatMap((row) => (row.components as Json[] | undefined) ?? [])
          .map((b) => String(b.custom_id))
          .find((c) => ids.decode(c)?.kind === action);
        if (!customId) throw new Error(`no ${action} button on ${ref.id}`);
        send(fake.interactions.button({ customId, message: ref.id, user: user(userId) }), userId);
      },
      async submitReason(userId, reason) {
        const opened = fake.calls.filter(
          (c) =>
            c.path.endsWith('/callback') &&
            (c.body as Json).type === 9 &&
            byUser.get(interactionOf(c.path)!) === userId,
        );
        const last = opened.at(-1);
        if (!last) throw new Error(`no modal was opened for ${userId}`);
        const clicked = fake.state.interactions.get(interactionOf(last.path)!)!.interaction;
        const customId = String(((last.body as Json).data as Json).custom_id);
        send(
          fake.interactions.modalSubmit({
            customId,
            fields: { reason },
            message: String((clicked.message as Json).id),
            user: user(userId),
          }),
          userId,
        );
      },
      async privateTo(userId) {
        return fake.calls
          .filter((c) => {
            const id = interactionOf(c.path);
            if (id === undefined || byUser.get(id) !== userId) return false;
            const body = c.body as Json;
            if (c.path.endsWith('/callback')) return body.type === 4;
            return c.method === 'PATCH' || c.method === 'POST';
          })
          .map((c) => {
            const body = c.body as Json;
            const content = c.path.endsWith('/callback') ? (body.data as Json).content : body.content;
            return render(String(content ?? ''));
          });
      },
    },
    async close() {
      inbound.stop();
      await inbound.idle();
      await app.stop();
      await fake.close();
    },
  } satisfies ChatPortDriver;
};
