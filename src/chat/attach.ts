/**
 * Attaching one chat platform to a running bot: the chat core on the bot's registry, relay and
 * decisions, its audit log, and a housekeeping timer. Adapters' plugins call this once their
 * port exists, then route their platform's payloads into the returned core.
 *
 * @example
 * const chat = attachChat(ctx, { port, policy });
 * app.command('/hermes', async ({ ack, command }) => { await ack(); await chat.core.handleCommand({...}); });
 * // later
 * await chat.stop();
 */
import type { BotContext } from '../bot/plugin.js';
import type { RunnerControl } from '../bot/runner-control.js';
import { auditPath, openAuditLog } from '../relay/audit.js';
import type { AccessPolicy } from './access.js';
import { ChatCore } from './chat-core.js';
import type { ChatSettings } from './deps.js';
import type { ChatPort } from './port.js';
import type { Timers } from './timers.js';

export const CHAT_AUDIT_FILE = 'chat.ndjson';

export interface AttachChatOptions {
  port: ChatPort;
  policy: AccessPolicy;
  /** Defaults to the bot's own (ctx.runners, the dispatcher). */
  runners?: RunnerControl;
  /** Where jobs registered outside chat appear on this platform. */
  defaultChannel?: string;
  /** How often reminders and retries run (default 5 s). */
  tickMs?: number;
  timers?: Timers;
  settings?: Partial<ChatSettings>;
}

export interface AttachedChat {
  core: ChatCore;
  stop(): Promise<void>;
}

export function attachChat(ctx: BotContext, opts: AttachChatOptions): AttachedChat {
  const { config, registry, core: bot, clock, log } = ctx;
  const audit = openAuditLog(auditPath(config.home, CHAT_AUDIT_FILE));
  const chat = new ChatCore({
    port: opts.port,
    policy: opts.policy,
    registry,
    events: bot.relay,
    decisions: bot.decisions,
    notices: bot.notices,
    schedules: ctx.schedules,
    runners: opts.runners ?? ctx.runners,
    audit,
    clock,
    log,
    ...(opts.timers ? { timers: opts.timers } : {}),
    settings: {
      progressIntervalMs: config.chat.progress_interval_seconds * 1000,
      reminderMs: config.chat.reminder_seconds * 1000,
      maxTextChars: config.chat.max_text_chars,
      inputChars: Math.min(1500, config.chat.max_text_chars),
      defaultChannel: opts.defaultChannel,
      botRules: config.approvals,
      ...opts.settings,
    },
  });
  chat.start();
  const timer = setInterval(() => {
    chat.tick().catch((err: unknown) => log.warn({ err }, 'chat housekeeping failed'));
  }, opts.tickMs ?? 5000);
  timer.unref();
  return {
    core: chat,
    async stop() {
      clearInterval(timer);
      chat.stop();
      // Let posts already under way finish, but do not hang a shutdown on a dead platform.
      await Promise.race([chat.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      audit.close();
    },
  };
}
