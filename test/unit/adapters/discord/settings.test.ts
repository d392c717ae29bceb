import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  discordConfigured,
  loadDiscordConnection,
  loadDiscordSettings,
} from '../../../../adapters/discord/settings.js';
import { loadConfig } from '../../../../src/config/load.js';
import { checkChat } from '../../../../src/doctor/checks.js';
import { isHermesError } from '../../../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function load(env: Record<string, string>, yaml?: string) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-discord-settings-'));
  dirs.push(home);
  if (yaml !== undefined) writeFileSync(join(home, 'config.yaml'), yaml);
  const full = { HERMES_HOME: home, ...env };
  return { config: loadConfig({ env: full }), env: full, home };
}

const USER = '1180000000000000300';
const ROLE = '1180000000000000400';
const GUILD = '1180000000000000100';
const base = {
  DISCORD_TOKEN: 'fake.discord.token',
  HERMES_DISCORD_ALLOWED_ROLES: ROLE,
  HERMES_DISCORD_GUILD_ID: GUILD,
};

function error(env: Record<string, string>, yaml?: string): string {
  const { config, env: full } = load(env, yaml);
  try {
    loadDiscordSettings(config, full);
  } catch (e) {
    if (isHermesError(e)) return `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    throw e;
  }
  return 'no error';
}

describe('Discord settings', () => {
  it('is configured only when a token (or token file) is there', () => {
    const { config } = load({});
    expect(discordConfigured(config, {})).toBe(false);
    expect(discordConfigured(config, { DISCORD_TOKEN: 'x' })).toBe(true);
    const withFile = load({}, 'discord:\n  token_file: /nonexistent\n');
    expect(discordConfigured(withFile.config, {})).toBe(true);
  });

  it('reads ids and lists from the environment, which wins over the config file', () => {
    const yaml = `discord:\n  guild_id: "1180000000000000999"\n  approvers: ["1180000000000000998"]\n`;
    const { config, env } = load(
      {
        ...base,
        DISCORD_APPLICATION_ID: '1180000000000000001',
        HERMES_DISCORD_GUILD_ID: '1180000000000000100',
        HERMES_DISCORD_API_URL: 'http://127.0.0.1:9/api',
        HERMES_DISCORD_ALLOWED_USERS: `${USER}, 1180000000000000301`,
        HERMES_DISCORD_ALLOWED_CHANNELS: '1180000000000000200',
        HERMES_DISCORD_APPROVERS: USER,
        HERMES_DISCORD_APPROVER_ROLES: ROLE,
        HERMES_DISCORD_DEFAULT_CHANNEL: '1180000000000000200',
      },
      yaml,
    );
    const s = loadDiscordSettings(config, env);
    expect(s).toMatchObject({
      token: 'fake.discord.token',
      applicationId: '1180000000000000001',
      guildId: '1180000000000000100',
      apiUrl: 'http://127.0.0.1:9/api',
      defaultChannel: '1180000000000000200',
    });
    expect(s.policy).toEqual({
      allowEveryone: false,
      registerUsers: [USER, '1180000000000000301'],
      registerRoles: [ROLE],
      registerChannels: ['1180000000000000200'],
      approvers: [USER],
      approverRoles: [ROLE],
    });
  });

  it('reads the token from discord.token_file when DISCORD_TOKEN is not set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-discord-token-'));
    dirs.push(dir);
    const file = join(dir, 'token');
    writeFileSync(file, 'from.the.file\n', { mode: 0o600 });
    const { config, env } = load(
      { HERMES_DISCORD_ALLOWED_USERS: USER, HERMES_DISCORD_GUILD_ID: GUILD },
      `discord:\n  token_file: ${file}\n`,
    );
    expect(loadDiscordSettings(config, env).token).toBe('from.the.file');
    expect(loadDiscordSettings(config, { ...env, DISCORD_TOKEN: 'env.wins' }).token).toBe('env.wins');
  });

  it('fails closed: nobody allowed to register and no allow_everyone means no start', () => {
    expect(error({ DISCORD_TOKEN: 't', HERMES_DISCORD_APPROVERS: USER })).toMatch(
      /^config: Discord: nobody is allowed to register jobs.*HERMES_DISCORD_ALLOWED_USERS/,
    );
    expect(error({ DISCORD_TOKEN: 't', HERMES_ALLOW_EVERYONE: 'true', HERMES_DISCORD_GUILD_ID: GUILD })).toBe(
      'no error',
    );
    // register-commands needs no policy (and takes the guild from --guild)
    const { config, env } = load({ DISCORD_TOKEN: 't' });
    expect(loadDiscordConnection(config, env).token).toBe('t');
  });

  it('fails closed: no guild means no start, even with allow_everyone, naming the setting', () => {
    const { HERMES_DISCORD_GUILD_ID: _, ...noGuild } = base;
    for (const env of [noGuild, { DISCORD_TOKEN: 't', HERMES_ALLOW_EVERYONE: 'true' }]) {
      const msg = error(env);
      expect(msg).toMatch(/^config: Discord: no guild set \(HERMES_DISCORD_GUILD_ID \/ discord\.guild_id\)/);
      expect(msg).toMatch(/adapter will not start/);
      expect(msg).not.toContain('fake.discord.token');
    }
    expect(error(noGuild, `discord:\n  guild_id: "${GUILD}"\n`)).toBe('no error');
    expect(error({ ...base, HERMES_DISCORD_GUILD_ID: 'my-server' })).toMatch(
      /HERMES_DISCORD_GUILD_ID \/ discord\.guild_id: the guild id must be a Discord id/,
    );
  });

  it('hermes doctor fails the Discord check without a guild', () => {
    const withApp = { ...base, DISCORD_APPLICATION_ID: '1180000000000000001' };
    const { HERMES_DISCORD_GUILD_ID: _, ...noGuild } = withApp;
    const without = load(noGuild);
    expect(checkChat(without.config, without.env).find((c) => c.name === 'discord')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('HERMES_DISCORD_GUILD_ID'),
    });
    const withGuild = load(withApp);
    expect(checkChat(withGuild.config, withGuild.env).find((c) => c.name === 'discord')).toMatchObject({
      status: 'ok',
    });
  });

  it('names the setting (never the token) when an id is malformed', () => {
    const msg = error({
      ...base,
      DISCORD_TOKEN: 'secret.token.value',
      HERMES_DISCORD_ALLOWED_USERS: 'alice',
    });
    expect(msg).toMatch(/HERMES_DISCORD_ALLOWED_USERS.*must be a Discord id/);
    expect(msg).not.toContain('secret.token.value');
  });

  it('says how to get a token when there is none', () => {
    const { config, env } = load({ HERMES_DISCORD_ALLOWED_USERS: USER });
    expect(() => loadDiscordSettings(config, env)).toThrow(/no Discord bot token/);
  });
});
