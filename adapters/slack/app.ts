/**
 * The Bolt App: Socket Mode (SLACK_APP_TOKEN) by default, HTTP mode with request signing on
 * HERMES_SLACK_PORT at /slack/events as the option, the Web API at HERMES_SLACK_API_URL when set.
 * The bot token is checked first with a quick auth.test of our own (few retries), so a bad token
 * or an unreachable API is one clear error at start instead of Bolt's unhandled rejection or its
 * half-hour retry schedule; the App then skips its own auth.test.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger as BoltLogger, LogLevel, webApi } from '@slack/bolt';
import { HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { SlackSettings } from './settings.js';

export type WebClientOptions = webApi.WebClientOptions;

/** Bolt's logger interface over pino; Bolt never logs below info (its debug output has payloads). */
export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = log.isLevelEnabled('info') ? LogLevel.INFO : LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: () => undefined,
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l === LogLevel.DEBUG ? LogLevel.INFO : l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** A Slack Web API failure in words an operator can act on. */
export function describeSlackFailure(e: unknown, what: string): HermesError {
  const err = e as { code?: string; data?: { error?: string }; original?: Error; message?: string };
  if (err.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    const hint =
      code === 'invalid_auth' ||
      code === 'not_authed' ||
      code === 'token_revoked' ||
      code === 'account_inactive'
        ? `check ${what} (OAuth & Permissions -> Bot User OAuth Token; Basic Information -> App-Level Tokens)`
        : undefined;
    return new HermesError('chat', `Slack refused ${what}: ${code}`, { cause: e, ...(hint ? { hint } : {}) });
  }
  if (err.code === 'slack_webapi_request_error' || err.code === 'slack_webapi_http_error') {
    const reason = err.original?.message ?? err.message ?? 'request failed';
    return new HermesError('chat', `the Slack API is unreachable: ${reason}`, {
      cause: e,
      hint: 'check the network, or HERMES_SLACK_API_URL if set',
    });
  }
  return new HermesError('chat', `Slack failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

export interface CreatedApp {
  app: App;
  botUserId: string;
}

export async function createSlackApp(
  settings: SlackSettings,
  log: Logger,
  clientOptions: WebClientOptions = {},
): Promise<CreatedApp> {
  const logger = boltLogger(log);
  const base: WebClientOptions = {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    logger,
    ...clientOptions,
  };
  const probe = new webApi.WebClient(settings.botToken, {
    ...base,
    retryConfig: { retries: 2, factor: 1, minTimeout: 500, maxTimeout: 1000 },
    timeout: 15_000,
  });
  let auth: webApi.AuthTestResponse;
  try {
    auth = await probe.auth.test();
  } catch (e) {
    throw describeSlackFailure(e, 'SLACK_BOT_TOKEN');
  }
  if (!auth.user_id || !auth.bot_id)
    throw new HermesError('chat', 'SLACK_BOT_TOKEN is not a bot token (auth.test names no bot)');
  const common = {
    token: settings.botToken,
    botId: auth.bot_id,
    botUserId: auth.user_id,
    tokenVerificationEnabled: false,
    deferInitialization: true,
    logger,
    clientOptions: base,
  };
  const app =
    settings.mode === 'socket'
      ? new App({ ...common, socketMode: true, appToken: settings.appToken })
      : new App({ ...common, signingSecret: settings.signingSecret, endpoints: '/slack/events' });
  await app.init();
  log.info({ team: auth.team, bot_user: auth.user_id, mode: settings.mode }, 'Slack bot token accepted');
  return { app, botUserId: auth.user_id };
}

/** Connects (Socket Mode) or listens (HTTP mode); resolves with the HTTP port in HTTP mode. */
export async function startSlackApp(app: App, settings: SlackSettings): Promise<{ port?: number }> {
  if (settings.mode === 'socket') {
    try {
      await app.start();
    } catch (e) {
      throw describeSlackFailure(e, 'SLACK_APP_TOKEN');
    }
    return {};
  }
  try {
    const server = (await app.start(settings.port)) as Server;
    return { port: (server.address() as AddressInfo).port };
  } catch (e) {
    throw new HermesError(
      'chat',
      `cannot listen for Slack on port ${settings.port}: ${(e as Error).message}`,
      {
        cause: e,
        hint: 'set HERMES_SLACK_PORT to a free port',
      },
    );
  }
}
