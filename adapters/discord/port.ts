/**
 * ChatPort on Discord. The job card is a message in the channel and the job's thread is started
 * on it (Discord gives that thread the card's id); thread posts, edits and announcements are plain
 * channel messages. Every call goes through discord.js's REST client, which waits out 429s.
 *
 * While the gateway is down a call first waits a little for it (`holdMs`: a resume or a requested
 * reconnect takes about a second, and waiting keeps the job's posts in order without a failure),
 * then rejects instead of posting: the core keeps the event owed in SQLite and retries it, so what
 * happened during a longer outage is posted once the connection is back. Refs are `{channel, id}`
 * snowflakes and survive a restart as they are.
 */
import type { Client, Message, SendableChannels } from 'discord.js';
import type {
  ChatFile,
  ChatMessage,
  ChatPort,
  FileAttachments,
  MessageRef,
  ThreadRef,
} from '../../src/chat/port.js';
import { HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { renderMessage, threadName } from './blocks.js';
import type { CustomIds } from './custom-ids.js';
import { escapeText } from './markdown.js';

export const DISCORD_PLATFORM = 'discord';

/** Discord keeps a thread for a week of quiet before archiving it (posting unarchives it). */
const THREAD_ARCHIVE_MINUTES = 10_080;

export interface DiscordPortOptions {
  client: Client;
  ids: CustomIds;
  log: Logger;
  /** Resolves true once the gateway is up, false if it is not within `ms` (DiscordApp.whenConnected). */
  whenConnected: (ms: number) => Promise<boolean>;
  /** How long a call waits for a dropped gateway before it rejects (default 10 s). */
  holdMs?: number;
}

export const DEFAULT_HOLD_MS = 10_000;

/**
 * Discord's upload limit for a server without boosts (10 MiB since 2024; boosted servers take
 * more, but the bot cannot know in advance). The bot needs Attach Files in the channel.
 */
export const DISCORD_MAX_FILE_BYTES = 10 * 1024 * 1024;

export class DiscordChatPort implements ChatPort {
  readonly platform = DISCORD_PLATFORM;
  /** Discord's per-channel limit is 5 messages per 5 s; discord.js queues per route on top. */
  readonly channelIntervalMs = 1000;
  readonly attachments: FileAttachments = {
    maxBytes: DISCORD_MAX_FILE_BYTES,
    attach: (thread, file) => this.attach(thread, file),
  };

  constructor(private readonly opts: DiscordPortOptions) {}

  private async ensureConnected(): Promise<void> {
    if (!(await this.opts.whenConnected(this.opts.holdMs ?? DEFAULT_HOLD_MS))) {
      throw new HermesError('chat', 'the Discord gateway is disconnected', {
        hint: 'the post is retried when the connection is back',
      });
    }
  }

  private async channel(id: string): Promise<SendableChannels> {
    await this.ensureConnected();
    const channel = await this.opts.client.channels.fetch(id);
    if (!channel?.isSendable()) {
      throw new HermesError('chat', `Discord channel ${id} is not a text channel the bot can post in`);
    }
    return channel;
  }

  private async send(channelId: string, message: ChatMessage): Promise<Message> {
    const channel = await this.channel(channelId);
    return channel.send(renderMessage(message, this.opts.ids));
  }

  async postJobCard(channel: string, message: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }> {
    const card = await this.send(channel, message);
    try {
      const thread = await card.startThread({
        name: threadName(message),
        autoArchiveDuration: THREAD_ARCHIVE_MINUTES,
      });
      return { card: { channel, id: card.id }, thread: { channel: thread.id, id: thread.id } };
    } catch (e) {
      // A card without its thread would be posted again on retry: remove it first.
      await card
        .delete()
        .catch((err: unknown) => this.opts.log.warn({ err }, 'orphaned job card not removed'));
      throw e;
    }
  }

  async postInThread(thread: ThreadRef, message: ChatMessage): Promise<MessageRef> {
    const posted = await this.send(thread.channel, message);
    return { channel: thread.channel, id: posted.id };
  }

  async announce(channel: string, message: ChatMessage): Promise<MessageRef> {
    const posted = await this.send(channel, message);
    return { channel, id: posted.id };
  }

  async edit(ref: MessageRef, content: ChatMessage): Promise<void> {
    const channel = await this.channel(ref.channel);
    await channel.messages.edit(ref.id, renderMessage(content, this.opts.ids));
  }

  /** A message with the file attached (discord.js sends it as multipart form data). */
  async attach(thread: ThreadRef, file: ChatFile): Promise<void> {
    const channel = await this.channel(thread.channel);
    await channel.send({
      content: escapeText(file.comment),
      files: [{ attachment: file.content, name: file.name }],
      allowedMentions: { parse: [] },
    });
  }

  async linkTo(ref: MessageRef): Promise<string | undefined> {
    const channel = await this.opts.client.channels.fetch(ref.channel).catch(() => null);
    const guildId = channel && 'guildId' in channel ? channel.guildId : undefined;
    return `https://discord.com/channels/${guildId ?? '@me'}/${ref.channel}/${ref.id}`;
  }
}
