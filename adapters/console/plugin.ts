/**
 * The console adapter as a bot plugin, for `hermes up` without chat credentials: a ChatPort that
 * prints to a terminal and a reader of typed commands, both on injected streams (process.stdout /
 * stdin in the real process, PassThrough streams in tests).
 */
import type { Readable, Writable } from 'node:stream';
import type { BotPlugin } from '../../src/bot/plugin.js';
import { attachChat } from '../../src/chat/attach.js';
import type { ChatSettings } from '../../src/chat/deps.js';
import type { Timers } from '../../src/chat/timers.js';
import { CONSOLE_GREETING, readConsole } from './inbound.js';
import { ConsoleChatPort } from './port.js';
import { consoleSettings } from './settings.js';
import { ConsoleTerminal } from './terminal.js';

export interface ConsolePluginOptions {
  /** The terminal to use (`hermes up` makes it, to show the prompt once its banner is out). */
  terminal?: ConsoleTerminal;
  /** Else a terminal on these streams, ready at once. */
  input?: Readable;
  output?: Writable;
  /** Called when the person types quit / exit (or Ctrl-C / Ctrl-D at the prompt). */
  onQuit?: () => void;
  /** The person's name in chat (default `you`). */
  user?: string;
  tickMs?: number;
  timers?: Timers;
  chatSettings?: Partial<ChatSettings>;
}

/** A terminal that greets the way the console does. */
export function consoleTerminal(opts: Omit<ConstructorParameters<typeof ConsoleTerminal>[0], 'greeting'>) {
  return new ConsoleTerminal({ ...opts, greeting: CONSOLE_GREETING });
}

export function consolePlugin(opts: ConsolePluginOptions): BotPlugin {
  return async (ctx) => {
    const own = opts.terminal === undefined;
    if (own && (!opts.input || !opts.output))
      throw new Error('consolePlugin: a terminal or input and output');
    const terminal = opts.terminal ?? consoleTerminal({ input: opts.input!, output: opts.output! });
    const settings = consoleSettings(opts.user);
    const port = new ConsoleChatPort(terminal);
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
      terminal,
      log: ctx.log.child({ name: 'console' }),
      ...(opts.onQuit ? { onQuit: opts.onQuit } : {}),
    });
    if (own) terminal.ready();
    return async () => {
      inbound.stop();
      await chat.stop();
    };
  };
}
