/**
 * The Discord adapter's settings: the config file's `discord` section with the environment
 * overlaid (src/config/load.ts maps HERMES_DISCORD_* and DISCORD_APPLICATION_ID onto it; the
 * environment wins), plus the bot token, a secret that comes only from DISCORD_TOKEN or
 * `discord.token_file` and is never logged.
 *
 * Fail closed: with nobody allowed to register and `chat.allow_everyone` unset, or without the
 * guild (server) it serves, the adapter refuses to start. Without a guild it would answer in any
 * server that adds the bot, where role ids and channel ids mean nothing Hermes was told about.
 *
 * No discord.js here: the bot imports this to decide whether to load the adapter at all.
 *
 * @example
 * const settings = loadDiscordSettings(config, env);
 * // settings.policy.registerRoles -> ['1180000000000000400']
 */
import { z } from 'zod';
import { type AccessPolicy, nobodyMayRegister } from '../../src/chat/access.js';
import type { Config, Env } from '../../src/config/load.js';
import { HermesError } from '../../src/errors.js';
import { readSecretFile } from '../../src/secrets/token-file.js';

const SNOWFLAKE_RE = /^\d{15,21}$/;
const snowflake = (what: string) => z.string().regex(SNOWFLAKE_RE, `${what} must be a Discord id (digits)`);
const snowflakes = (what: string) => z.array(snowflake(what));

const DiscordSettingsSchema = z.object({
  token: z.string().min(1),
  applicationId: snowflake('the application id').optional(),
  guildId: snowflake('the guild id').optional(),
  /** REST base without the version (`https://discord.com/api`); a stand-in's in tests. */
  apiUrl: z.string().url().optional(),
  defaultChannel: snowflake('the default channel').optional(),
  allowEveryone: z.boolean(),
  allowedUsers: snowflakes('an allowed user'),
  allowedRoles: snowflakes('an allowed role'),
  allowedChannels: snowflakes('an allowed channel'),
  approvers: snowflakes('an approver'),
  approverRoles: snowflakes('an approver role'),
  /** Thread messages as follow-ups (the Message Content intent). */
  messageContent: z.boolean().optional(),
});

export type DiscordSettings = Readonly<z.infer<typeof DiscordSettingsSchema>>;

/** Settings of a running adapter: the connection, its one guild and its access policy. */
export type DiscordRunSettings = DiscordSettings & {
  readonly guildId: string;
  readonly policy: AccessPolicy;
};

/** Where each setting comes from, for error messages a person can act on. */
const SOURCES: Record<string, string> = {
  applicationId: 'DISCORD_APPLICATION_ID / discord.application_id',
  guildId: 'HERMES_DISCORD_GUILD_ID / discord.guild_id',
  apiUrl: 'HERMES_DISCORD_API_URL / discord.api_url',
  defaultChannel: 'HERMES_DISCORD_DEFAULT_CHANNEL / discord.default_channel',
  allowedUsers: 'HERMES_DISCORD_ALLOWED_USERS / discord.allowed_users',
  allowedRoles: 'HERMES_DISCORD_ALLOWED_ROLES / discord.allowed_roles',
  allowedChannels: 'HERMES_DISCORD_ALLOWED_CHANNELS / discord.allowed_channels',
  approvers: 'HERMES_DISCORD_APPROVERS / discord.approvers',
  approverRoles: 'HERMES_DISCORD_APPROVER_ROLES / discord.approver_roles',
};

/** True when a Discord bot token is configured (env or file): `hermes bot` then starts the adapter. */
export function discordConfigured(config: Config, env: Env): boolean {
  return Boolean(env.DISCORD_TOKEN) || Boolean(config.discord.token_file);
}

/** The bot token: DISCORD_TOKEN wins over `discord.token_file`. */
export function discordToken(config: Config, env: Env, warn?: (m: string) => void): string {
  const fromEnv = env.DISCORD_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = config.discord.token_file;
  if (file) return readSecretFile(file, 'Discord bot token', warn ? { warn } : {});
  throw new HermesError('env', 'no Discord bot token', {
    hint: 'set DISCORD_TOKEN or discord.token_file (Developer Portal -> your application -> Bot -> Reset Token)',
  });
}

/** Token, ids and lists, validated; no access rule (`register-commands` needs none). */
export function loadDiscordConnection(config: Config, env: Env, warn?: (m: string) => void): DiscordSettings {
  const d = config.discord;
  const r = DiscordSettingsSchema.safeParse({
    token: discordToken(config, env, warn),
    applicationId: d.application_id,
    guildId: d.guild_id,
    apiUrl: d.api_url,
    defaultChannel: d.default_channel,
    allowEveryone: config.chat.allow_everyone,
    allowedUsers: d.allowed_users,
    allowedRoles: d.allowed_roles,
    allowedChannels: d.allowed_channels,
    approvers: d.approvers,
    approverRoles: d.approver_roles,
    messageContent: d.message_content,
  });
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `${SOURCES[key] ?? key}: ${i.message}`;
    });
    throw new HermesError('config', `Discord settings: ${lines.join('; ')}`);
  }
  return Object.freeze(r.data);
}

export function accessPolicyOf(s: DiscordSettings): AccessPolicy {
  return {
    allowEveryone: s.allowEveryone,
    registerUsers: s.allowedUsers,
    registerRoles: s.allowedRoles,
    registerChannels: s.allowedChannels,
    approvers: s.approvers,
    approverRoles: s.approverRoles,
  };
}

/**
 * Everything the adapter needs to run, validated; refuses an open bot unless allow-everyone is
 * explicit, and a bot without its guild. Throws a HermesError naming the setting to fix (never its
 * value).
 */
export function loadDiscordSettings(
  config: Config,
  env: Env,
  warn?: (m: string) => void,
): DiscordRunSettings {
  const s = loadDiscordConnection(config, env, warn);
  const policy = accessPolicyOf(s);
  if (nobodyMayRegister(policy)) {
    throw new HermesError(
      'config',
      'Discord: nobody is allowed to register jobs, so the adapter will not start',
      {
        hint:
          'set HERMES_DISCORD_ALLOWED_USERS, HERMES_DISCORD_ALLOWED_ROLES and/or HERMES_DISCORD_ALLOWED_CHANNELS ' +
          '(comma-separated ids), and HERMES_DISCORD_APPROVERS / HERMES_DISCORD_APPROVER_ROLES; ' +
          'or HERMES_ALLOW_EVERYONE=true (chat.allow_everyone) to let everyone in the server register and approve',
      },
    );
  }
  const { guildId } = s;
  if (guildId === undefined) {
    throw new HermesError(
      'config',
      `Discord: no guild set (${SOURCES.guildId}), so the adapter will not start; ` +
        'without it Hermes would answer in every server the bot is added to',
      {
        hint:
          'set HERMES_DISCORD_GUILD_ID (discord.guild_id) to the id of your server ' +
          '(Server Settings -> Widget -> Server ID, or right-click the server -> Copy Server ID)',
      },
    );
  }
  return Object.freeze({ ...s, guildId, policy });
}
