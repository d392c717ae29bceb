/**
 * The discord.js Client as Hermes runs it: the Guilds intent only (interactions arrive without any
 * intent; Guilds keeps channels and threads cached), mentions off client-wide, REST pointed at
 * `apiUrl` when set (a stand-in), and a view of whether the gateway is connected, so the port can
 * refuse to post while it is not and the core retries afterwards.
 *
 * @example
 * const app = await startDiscordApp({ settings, log });
 * app.onConnected(() => log.info('back'));
 * await app.stop();
 */
import { once } from 'node:events';
import { Client, type ClientOptions, Events, GatewayIntentBits } from 'discord.js';
import { HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { DiscordSettings } from './settings.js';

export interface DiscordAppOptions {
  settings: DiscordSettings;
  log: Logger;
  /** Extra Client options (tests: a no-op identify throttle, small REST retries). */
  clientOptions?: Partial<ClientOptions>;
  /** How long to wait for READY before giving up (default 30 s). */
  readyTimeoutMs?: number;
}

export interface DiscordApp {
  client: Client<true>;
  /** True while the gateway session is up (READY or RESUMED, and not reconnecting since). */
  readonly connected: boolean;
  /** Called each time the gateway is back after a drop (resumed or identified again). */
  onConnected(listener: () => void): () => void;
  /** Resolves true as soon as the gateway is up, false if it is not back within `ms`. */
  whenConnected(ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function discordClientOptions(
  settings: DiscordSettings,
  extra: Partial<ClientOptions> = {},
): ClientOptions {
  return {
    // Guilds: threads and their channels. With follow-ups in threads also the guild messages and
    // their text (Message Content is privileged: it must be switched on in the Developer Portal).
    intents: settings.messageContent
      ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
      : [GatewayIntentBits.Guilds],
    // Nobody is pinged unless a message names them itself (render/message.ts does, for reminders).
    allowedMentions: { parse: [], repliedUser: false },
    ...extra,
    rest: { ...(settings.apiUrl ? { api: settings.apiUrl } : {}), ...extra.rest },
  };
}

export async function startDiscordApp(opts: DiscordAppOptions): Promise<DiscordApp> {
  const { settings, log } = opts;
  const client = new Client(discordClientOptions(settings, opts.clientOptions));
  let connected = false;
  const listeners = new Set<() => void>();
  /** Posts holding on for the connection (see whenConnected). */
  const waiters = new Set<(ok: boolean) => void>();
  const up = (how: string) => {
    const wasDown = !connected;
    connected = true;
    if (!wasDown) return;
    log.info({ how }, 'Discord gateway connected');
    for (const w of [...waiters]) w(true);
    for (const l of listeners) l();
  };
  const down = (why: string) => {
    if (connected) log.warn({ why }, 'Discord gateway disconnected; posts wait until it is back');
    connected = false;
  };
  client.on(Events.ShardReady, () => up('ready'));
  client.on(Events.ShardResume, () => up('resumed'));
  client.on(Events.ShardReconnecting, () => down('reconnecting'));
  client.on(Events.ShardDisconnect, (e) => down(`closed ${e.code}`));
  client.on(Events.ShardError, (err) => log.warn({ err }, 'Discord gateway error'));
  client.on(Events.Error, (err) => log.error({ err }, 'Discord client error'));

  const ready = once(client, Events.ClientReady);
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.login(settings.token);
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new HermesError('chat', `Discord did not send READY within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (e) {
    await client.destroy();
    if (e instanceof HermesError) throw e;
    throw new HermesError('chat', `cannot connect to Discord: ${(e as Error).message}`, {
      cause: e,
      hint: 'check DISCORD_TOKEN (Developer Portal -> Bot -> Reset Token) and the network',
    });
  } finally {
    clearTimeout(timer);
  }
  up('ready');
  log.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'Discord adapter logged in');
  return {
    client: client as Client<true>,
    get connected() {
      return connected;
    },
    onConnected(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    whenConnected(ms) {
      if (connected) return Promise.resolve(true);
      if (ms <= 0) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), ms);
        timer.unref();
        waiters.add(done);
      });
    },
    async stop() {
      listeners.clear();
      for (const w of [...waiters]) w(false);
      connected = false;
      await client.destroy();
    },
  };
}
