/** `hermes bot` starts the Slack adapter only with a Slack bot token, and refuses a fail-open setup before connecting. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { botPluginsFor } from '../../../src/bot/plugins.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function plugins(env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-plugins-'));
  homes.push(home);
  const full = { HERMES_HOME: home, ...env };
  return botPluginsFor(loadConfig({ env: full }), full, silentLogger);
}

describe('bot plugins: Slack', () => {
  it('none without a Slack token (headless)', async () => {
    expect(await plugins({})).toHaveLength(0);
  });

  it('one with a token and an allow-list', async () => {
    expect(
      await plugins({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        HERMES_SLACK_ALLOWED_CHANNELS: 'C0JOBS',
      }),
    ).toHaveLength(1);
  });

  it('a token with nobody allowed is a config error at once', async () => {
    await expect(plugins({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('nobody is allowed to register jobs'),
    });
  });
});
