/** The adapter refuses to start, with a clear error, on a bad token, an unreachable API, or a fail-open configuration. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isHermesError } from '../../../src/errors.js';
import type { SlackApiOptions } from '../../fakes/slack/web-api.js';
import { startSlackBot } from './support.js';

interface StartError {
  code: string;
  message: string;
  hint?: string;
}

async function startError(
  mode: 'socket' | 'http',
  env: Record<string, string>,
  fake: SlackApiOptions = {},
): Promise<StartError> {
  let bot: Awaited<ReturnType<typeof startSlackBot>> | undefined;
  try {
    bot = await startSlackBot(mode, env, fake);
  } catch (e) {
    if (isHermesError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    throw e;
  }
  await bot.stop();
  throw new Error('the adapter started');
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const valid = { validTokens: ['xoxb-fake-bot', 'xapp-fake-app'] };

describe('Slack adapter start-up', () => {
  it('a bad bot token is one clear error naming SLACK_BOT_TOKEN', async () => {
    const err = await startError('socket', { SLACK_BOT_TOKEN: 'xoxb-revoked' }, valid);
    expect(err).toMatchObject({ code: 'chat', message: 'Slack refused SLACK_BOT_TOKEN: invalid_auth' });
    expect(err.hint).toContain('Bot User OAuth Token');
  });

  it('a bad app token (Socket Mode) is one clear error naming SLACK_APP_TOKEN', async () => {
    const err = await startError('socket', { SLACK_APP_TOKEN: 'xapp-wrong' }, valid);
    expect(err).toMatchObject({ code: 'chat', message: 'Slack refused SLACK_APP_TOKEN: invalid_auth' });
  });

  it('an unreachable API is one clear error within seconds', async () => {
    const t0 = Date.now();
    const err = await startError('http', {
      HERMES_SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/`,
    });
    expect(err.message).toMatch(/^the Slack API is unreachable/);
    expect(err.hint).toContain('HERMES_SLACK_API_URL');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('with nobody allowed to register it refuses to start, unless allow-everyone is explicit', async () => {
    const closed = await startError('http', { HERMES_SLACK_ALLOWED_USERS: ',' });
    expect(closed).toMatchObject({
      code: 'config',
      message: expect.stringContaining('nobody is allowed to register jobs'),
    });
    expect(closed.hint).toContain('HERMES_ALLOW_EVERYONE=true');
    const open = await startSlackBot('http', {
      HERMES_SLACK_ALLOWED_USERS: ',',
      HERMES_ALLOW_EVERYONE: 'true',
    });
    await open.stop();
  });

  it('mode without its secret is a config error naming the variable, never the value', async () => {
    const err = await startError('socket', { SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: 'x'.repeat(32) });
    expect(err).toMatchObject({ code: 'config', message: expect.stringContaining('needs SLACK_APP_TOKEN') });
    const bad = await startError('http', { SLACK_BOT_TOKEN: 'xoxp-user-token-secret' });
    expect(bad.message).toContain('SLACK_BOT_TOKEN must be a bot token');
    expect(bad.message).not.toContain('xoxp-user-token-secret');
  });
});
