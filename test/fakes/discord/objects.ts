/**
 * Discord API objects as the stand-in serves them (users, guild, channels, threads), with the
 * fields discord.js reads when it builds its structures. Ids are real snowflakes so discord.js can
 * derive creation times from them.
 */

/** The guild and people the Discord stand-in pretends to have. */
export const DISCORD = {
  applicationId: '1180000000000000001',
  botUser: { id: '1180000000000000001', username: 'hermes', discriminator: '4821' },
  guildId: '1180000000000000100',
  guildName: 'Hermes Test',
  channelId: '1180000000000000200',
  channelName: 'hermes-jobs',
  user: { id: '1180000000000000300', username: 'alice', global_name: 'Alice' },
  approverRoleId: '1180000000000000400',
} as const;

const DISCORD_EPOCH = 1_420_070_400_000n;

/** Snowflakes from the clock, strictly increasing even within one millisecond. */
export class SnowflakeSource {
  private last = 0n;
  constructor(private readonly now: () => number) {}
  next(): string {
    const fromClock = (BigInt(this.now()) - DISCORD_EPOCH) << 22n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last.toString();
  }
}

const bit = (n: number) => 1n << BigInt(n);
/** View, send, embed, history, use commands, create public threads, send in threads. */
export const MEMBER_PERMISSIONS = [10, 11, 14, 16, 31, 35, 38]
  .reduce((acc, n) => acc | bit(n), 0n)
  .toString();
/** What the bot may do in the channel: the member set plus manage messages / threads. */
export const APP_PERMISSIONS = (BigInt(MEMBER_PERMISSIONS) | bit(13) | bit(34)).toString();

export interface UserInput {
  id: string;
  username: string;
  global_name?: string | null;
}

export function userObject(user: UserInput, bot = false): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    global_name: user.global_name ?? null,
    discriminator: bot ? DISCORD.botUser.discriminator : '0',
    avatar: null,
    ...(bot ? { bot: true } : {}),
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

export const botUserObject = () => userObject(DISCORD.botUser, true);

export function roleObject(id: string, name: string, position: number): Record<string, unknown> {
  return {
    id,
    name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: MEMBER_PERMISSIONS,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export interface GuildInput {
  id: string;
  name: string;
  channels: Array<{ id: string; name: string; type?: 0 | 5 }>;
  /** Roles besides @everyone (whose id is the guild id). */
  roles?: Array<{ id: string; name: string }>;
}

export const DEFAULT_GUILD: GuildInput = {
  id: DISCORD.guildId,
  name: DISCORD.guildName,
  channels: [{ id: DISCORD.channelId, name: DISCORD.channelName }],
  roles: [{ id: DISCORD.approverRoleId, name: 'hermes-approvers' }],
};

export function textChannelObject(
  guildId: string,
  channel: GuildInput['channels'][number],
  position: number,
) {
  return {
    id: channel.id,
    type: channel.type ?? 0,
    guild_id: guildId,
    name: channel.name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    default_auto_archive_duration: 1440,
    flags: 0,
  } as Record<string, unknown>;
}

export function threadObject(input: {
  id: string;
  guildId: string;
  parentId: string;
  name: string;
  type: number;
  autoArchiveDuration: number;
  nowIso: string;
}): Record<string, unknown> {
  return {
    id: input.id,
    type: input.type,
    guild_id: input.guildId,
    parent_id: input.parentId,
    owner_id: DISCORD.botUser.id,
    name: input.name,
    last_message_id: null,
    message_count: 0,
    member_count: 1,
    rate_limit_per_user: 0,
    flags: 0,
    total_message_sent: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: input.autoArchiveDuration,
      archive_timestamp: input.nowIso,
      locked: false,
      create_timestamp: input.nowIso,
    },
  };
}

/** The full guild Discord sends in GUILD_CREATE after READY (Guilds intent). */
export function guildCreateObject(
  guild: GuildInput,
  channels: unknown[],
  nowIso: string,
): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: DISCORD.user.id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    application_id: null,
    vanity_url_code: null,
    features: [],
    roles: [
      roleObject(guild.id, '@everyone', 0),
      ...(guild.roles ?? []).map((r, i) => roleObject(r.id, r.name, i + 1)),
    ],
    emojis: [],
    stickers: [],
    joined_at: nowIso,
    large: false,
    unavailable: false,
    member_count: 2,
    members: [{ user: botUserObject(), roles: [], joined_at: nowIso, deaf: false, mute: false, flags: 0 }],
    channels,
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** The READY dispatch: guilds arrive as unavailable stubs, GUILD_CREATE fills them in. */
export function readyPayload(
  sessionId: string,
  guilds: GuildInput[],
  gatewayUrl: string,
): Record<string, unknown> {
  return {
    v: 10,
    user: botUserObject(),
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_id: sessionId,
    session_type: 'normal',
    resume_gateway_url: gatewayUrl,
    shard: [0, 1],
    application: { id: DISCORD.applicationId, flags: 0 },
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    user_settings: {},
    auth: {},
    _trace: ['["fake-gateway",{"micros":0}]'],
  };
}
