/**
 * The Discord adapter as a bot plugin: log in over the gateway, build the port, attach the chat
 * core, route interactions into it. When the gateway comes back after a drop, what the core still
 * owes the chat is posted at once (the core's periodic retry would get there too, later).
 * Loaded lazily by src/bot/plugins.ts only when a Discord bot token is configured.
 */
import type { ClientOptions } from 'discord.js';
import type { BotContext, BotPlugin } from '../../src/bot/plugin.js';
import type { RunnerControl } from '../../src/bot/runner-control.js';
import { attachChat } from '../../src/chat/attach.js';
import type { ChatSettings } from '../../src/chat/deps.js';
import type { Timers } from '../../src/chat/timers.js';
import { isoTime } from '../../src/clock.js';
import { startDiscordApp } from './app.js';
import { knownProfiles } from './autocomplete.js';
import { CustomIds, sqliteLongValues } from './custom-ids.js';
import { registerInbound } from './inbound.js';
import { DiscordChatPort } from './port.js';
import type { DiscordRunSettings } from './settings.js';
import { registerThreadMessages } from './thread-messages.js';

export interface DiscordPluginOptions {
  /** Runner control for the chat core; the bot's own dispatcher (`ctx.runners`) unless given. */
  runners?: (ctx: BotContext) => RunnerControl;
  /** Extra discord.js Client options (tests: a no-op identify throttle). */
  clientOptions?: Partial<ClientOptions>;
  /** How often reminders and retries run (default 5 s). */
  tickMs?: number;
  timers?: Timers;
  /** Overrides of the core's settings (tests: a short retry delay). */
  chatSettings?: Partial<ChatSettings>;
  /** A Deny click the core has not answered by then is acknowledged anyway (default 2000 ms). */
  ackAfterMs?: number;
  /** How long a post waits for a dropped gateway before it fails and is left to the core's retry (default 10 s). */
  holdMs?: number;
}

export function discordPlugin(settings: DiscordRunSettings, opts: DiscordPluginOptions = {}): BotPlugin {
  return async (ctx) => {
    const log = ctx.log.child({ name: 'discord' });
    const app = await startDiscordApp({
      settings,
      log,
      ...(opts.clientOptions ? { clientOptions: opts.clientOptions } : {}),
    });
    const ids = new CustomIds(sqliteLongValues(ctx.db, () => isoTime(ctx.clock.now())));
    const port = new DiscordChatPort({
      client: app.client,
      ids,
      log,
      whenConnected: (ms) => app.whenConnected(ms),
      ...(opts.holdMs !== undefined ? { holdMs: opts.holdMs } : {}),
    });
    const runners = opts.runners?.(ctx) ?? ctx.runners;
    const chat = attachChat(ctx, {
      port,
      policy: settings.policy,
      defaultChannel: settings.defaultChannel,
      runners,
      ...(opts.tickMs ? { tickMs: opts.tickMs } : {}),
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.chatSettings ? { settings: opts.chatSettings } : {}),
    });
    const configured = Object.keys(ctx.config.runner.profiles);
    const inbound = registerInbound(app.client, {
      core: chat.core,
      ids,
      guildId: settings.guildId,
      profiles: () => knownProfiles(runners, configured),
      log,
      ...(opts.ackAfterMs !== undefined ? { ackAfterMs: opts.ackAfterMs } : {}),
    });
    const offThreads = settings.messageContent
      ? registerThreadMessages(app.client, { core: chat.core, ids, guildId: settings.guildId, log })
      : () => undefined;
    const offConnected = app.onConnected(() => {
      // Ignores the backoff the outage built up: the gateway is back, so should the posts be.
      try {
        const jobs = chat.core.catchUp();
        if (jobs > 0) log.info({ jobs }, 'posting what the chat missed while disconnected');
      } catch (err) {
        log.warn({ err }, 'catch-up after reconnect failed; the periodic retry will do it');
      }
    });
    log.info({ guild: settings.guildId, application: app.client.application?.id }, 'Discord adapter running');
    return async () => {
      offConnected();
      offThreads();
      inbound.stop();
      await Promise.race([inbound.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      await chat.stop();
      await app.stop().catch((err: unknown) => log.warn({ err }, 'Discord client did not stop cleanly'));
    };
  };
}
