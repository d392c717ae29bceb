/**
 * The console adapter as a bot plugin, for `hermes up` without chat credentials: a ChatPort that
 * prints to a stream and a reader of typed commands, both injected (process.stdout / stdin in the
 * real process, PassThrough streams in tests).
 */
import type { Readable, Writable } from 'node:stream';
import type { BotPlugin } from '../../src/bot/plugin.js';
import { attachChat } from '../../src/chat/attach.js';
import type { ChatSettings } from '../../src/chat/deps.js';
import type { Timers } from '../../src/chat/timers.js';
import { readConsole } from './inbound.js';
import { ConsoleChatPort } from './port.js';
import { consoleSettings } from './settings.js';

export interface ConsolePluginOptions {
  input: Readable;
  output: Writable;
  /** Called when the person types quit / exit. */
  onQuit?: () => void;
  /** The person's name in chat (default `you`). */
  user?: string;
  tickMs?: number;
  timers?: Timers;
  chatSettings?: Partial<ChatSettings>;
}

export function consolePlugin(opts: ConsolePluginOptions): BotPlugin {
  return async (ctx) => {
    const settings = consoleSettings(opts.user);
    const port = new ConsoleChatPort(opts.output);
    const chat = attachChat(ctx, {
      port,
      policy: settings.policy,
      defaultChannel: settings.channel,
      ...(opts.tickMs ? { tickMs: opts.tickMs } : {}),
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.chatSettings ? { settings: opts.chatSettings } : {}),
    });
    const inbound = readConsole({
      core: chat.core,
      port,
      settings,
      input: opts.input,
      log: ctx.log.child({ name: 'console' }),
      ...(opts.onQuit ? { onQuit: opts.onQuit } : {}),
    });
    return async () => {
      inbound.stop();
      await chat.stop();
    };
  };
}
