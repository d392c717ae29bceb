/** What the Discord stand-in remembers: channels, threads, messages, interactions, commands. */
import type { Json } from './messages.js';
import { DEFAULT_GUILD, type GuildInput, SnowflakeSource, textChannelObject } from './objects.js';

export interface InteractionRecord {
  interaction: Json;
  createdAt: number;
  /** Callback type once the app answered (4, 5, 6, 7, 8, 9); Discord accepts one answer only. */
  responseType?: number;
  originalMessageId?: string;
}

export interface DiscordStateOptions {
  /** Guilds sent in GUILD_CREATE after READY. Default: one guild with one text channel. */
  guilds?: GuildInput[];
  now?: () => number;
}

export class DiscordState {
  readonly guilds: GuildInput[];
  readonly channels = new Map<string, Json>();
  readonly messages = new Map<string, Json>();
  /** The bytes of each attachment the bot uploaded, by attachment id (the message lists name and size). */
  readonly attachmentBytes = new Map<string, Buffer>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands = new Map<string, Json[]>();
  readonly now: () => number;
  private readonly ids: SnowflakeSource;
  private tokens = 0;

  constructor(opts: DiscordStateOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.ids = new SnowflakeSource(this.now);
    this.guilds = opts.guilds ?? [DEFAULT_GUILD];
    for (const guild of this.guilds) {
      guild.channels.forEach((channel, i) => {
        this.channels.set(channel.id, textChannelObject(guild.id, channel, i));
      });
    }
  }

  nextId(): string {
    return this.ids.next();
  }

  /** Interaction tokens are long opaque strings; only uniqueness matters here. */
  nextInteractionToken(): string {
    this.tokens += 1;
    return `aW50ZXJhY3Rpb246ZmFrZQ.${this.tokens}.${this.nextId()}`;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  channelsOfGuild(guildId: string): Json[] {
    return [...this.channels.values()].filter(
      (c) => c.guild_id === guildId && c.type !== 11 && c.type !== 12,
    );
  }

  interactionByToken(token: string): InteractionRecord | undefined {
    for (const record of this.interactions.values()) {
      if (record.interaction.token === token) return record;
    }
    return undefined;
  }

  /** Records an interaction so its callback and webhook routes can be checked against it. */
  registerInteraction(interaction: Json): void {
    this.interactions.set(String(interaction.id), { interaction, createdAt: this.now() });
  }
}
