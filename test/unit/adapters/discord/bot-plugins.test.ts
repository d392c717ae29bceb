import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { botPluginsFor } from '../../../../src/bot/plugins.js';
import { loadConfig } from '../../../../src/config/load.js';
import { silentLogger } from '../../../../src/log.js';

const GUILD = '1180000000000000100';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function plugins(env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-discord-plugins-'));
  dirs.push(home);
  const full = { HERMES_HOME: home, ...env };
  return botPluginsFor(loadConfig({ env: full }), full, silentLogger);
}

describe('hermes bot and the Discord adapter', () => {
  it('runs no Discord adapter without a token', async () => {
    expect(await plugins({ HERMES_DISCORD_ALLOWED_USERS: '1180000000000000300' })).toHaveLength(0);
  });

  it('adds the Discord adapter when DISCORD_TOKEN is set, next to Slack when both are', async () => {
    expect(
      await plugins({
        DISCORD_TOKEN: 't',
        HERMES_DISCORD_ALLOWED_USERS: '1180000000000000300',
        HERMES_DISCORD_GUILD_ID: GUILD,
      }),
    ).toHaveLength(1);
    const both = await plugins({
      DISCORD_TOKEN: 't',
      HERMES_DISCORD_ALLOWED_USERS: '1180000000000000300',
      HERMES_DISCORD_GUILD_ID: GUILD,
      SLACK_BOT_TOKEN: 'xoxb-1-abc',
      SLACK_APP_TOKEN: 'xapp-1-abc',
      HERMES_SLACK_ALLOWED_CHANNELS: 'C0JOBS',
    });
    expect(both).toHaveLength(2);
  });

  it('refuses to start an open Discord bot', async () => {
    await expect(plugins({ DISCORD_TOKEN: 't' })).rejects.toThrow(/nobody is allowed to register jobs/);
  });

  it('refuses to start a Discord bot that is not tied to one server', async () => {
    await expect(
      plugins({ DISCORD_TOKEN: 't', HERMES_DISCORD_ALLOWED_USERS: '1180000000000000300' }),
    ).rejects.toThrow(/no guild set \(HERMES_DISCORD_GUILD_ID \/ discord\.guild_id\)/);
  });
});
