/**
 * The Discord adapter refuses to start with one clear error on a bad token (the stand-in answers
 * GET /gateway/bot with 401 like Discord), naming DISCORD_TOKEN and never showing the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { discordPlugin } from '../../../adapters/discord/plugin.js';
import { loadDiscordSettings } from '../../../adapters/discord/settings.js';
import { describeError, isHermesError } from '../../../src/errors.js';
import { DISCORD, type DiscordFake, startDiscordFake } from '../../fakes/discord/index.js';
import { memoryBotContext } from '../../unit/chat/harness.js';
import { OWNER, TOKEN } from './support.js';

let fake: DiscordFake | undefined;
let env: ReturnType<typeof memoryBotContext> | undefined;

afterEach(async () => {
  env?.close();
  await fake?.close();
  env = undefined;
  fake = undefined;
});

describe('Discord adapter start-up', () => {
  it('a wrong token is one clear error naming DISCORD_TOKEN, without the token', async () => {
    fake = await startDiscordFake({ token: TOKEN });
    const wrong = 'revoked-discord-token-do-not-print';
    const vars = {
      DISCORD_TOKEN: wrong,
      HERMES_DISCORD_API_URL: fake.apiUrl,
      HERMES_DISCORD_GUILD_ID: DISCORD.guildId,
      HERMES_DISCORD_ALLOWED_USERS: OWNER.id,
    };
    env = memoryBotContext(vars);
    const settings = loadDiscordSettings(env.ctx.config, vars);
    const err: unknown = await discordPlugin(settings)(env.ctx).then(
      () => new Error('the adapter started'),
      (e: unknown) => e,
    );
    expect(isHermesError(err, 'chat')).toBe(true);
    const text = describeError(err);
    expect(text).toMatch(/^cannot connect to Discord: An invalid token was provided/);
    expect(text).toContain('check DISCORD_TOKEN');
    expect(text).not.toContain(wrong);
    // Refused at the REST call that looks up the gateway: no gateway session was opened.
    expect(fake.calls.find((c) => c.path === '/gateway/bot')?.status).toBe(401);
    expect(fake.identifyCount).toBe(0);
  });
});
