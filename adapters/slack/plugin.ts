/**
 * The Slack adapter as a bot plugin: check the token, build the Bolt App and the port, attach the
 * chat core, route Slack's payloads into it, then connect (Socket Mode) or listen (HTTP mode).
 * Loaded lazily by src/bot/plugins.ts only when a Slack bot token is configured.
 */
import type { BotContext, BotPlugin } from '../../src/bot/plugin.js';
import type { RunnerControl } from '../../src/bot/runner-control.js';
import { attachChat } from '../../src/chat/attach.js';
import type { Timers } from '../../src/chat/timers.js';
import { createSlackApp, startSlackApp, type WebClientOptions } from './app.js';
import { registerInbound } from './inbound.js';
import { SlackChatPort } from './port.js';
import type { SlackSettings } from './settings.js';
import { UserGroups } from './user-groups.js';

export interface SlackPluginOptions {
  /** Another runner control than the bot's own (ctx.runners). */
  runners?: (ctx: BotContext) => RunnerControl;
  /** Extra WebClient options (tests: a short retryConfig). */
  clientOptions?: WebClientOptions;
  /** How often reminders and retries run (default 5 s). */
  tickMs?: number;
  timers?: Timers;
  /** Told where the HTTP receiver listens (HTTP mode). */
  onListening?: (port: number) => void;
}

export function slackPlugin(settings: SlackSettings, opts: SlackPluginOptions = {}): BotPlugin {
  return async (ctx) => {
    const log = ctx.log.child({ name: 'slack' });
    const { app } = await createSlackApp(settings, log, opts.clientOptions);
    const port = new SlackChatPort(app.client);
    const chat = attachChat(ctx, {
      port,
      policy: settings.policy,
      defaultChannel: settings.defaultChannel,
      runners: opts.runners?.(ctx) ?? ctx.runners,
      ...(opts.tickMs ? { tickMs: opts.tickMs } : {}),
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
    const groups = new UserGroups(app.client, settings.policy.approverRoles, ctx.clock, log);
    registerInbound(app, { core: chat.core, client: app.client, groups, log });
    let started: { port?: number };
    try {
      started = await startSlackApp(app, settings);
    } catch (e) {
      await chat.stop();
      throw e;
    }
    if (started.port !== undefined) opts.onListening?.(started.port);
    log.info(
      { mode: settings.mode, ...(started.port !== undefined ? { port: started.port } : {}) },
      'Slack adapter running',
    );
    return async () => {
      await app.stop().catch((err: unknown) => log.warn({ err }, 'Slack app did not stop cleanly'));
      await chat.stop();
    };
  };
}
