/**
 * Lines typed at the console into the chat core: `/hermes …` (or the command alone) becomes one
 * handleCommand call by the console's person, in order, one at a time. `quit` / `exit` (and Ctrl-C
 * or Ctrl-D at the prompt) ask the process to stop. The console has no buttons: approvals are
 * typed (`/hermes approve`).
 */
import { message, section, text } from '../../src/chat/message.js';
import type { ChatInbound } from '../../src/chat/port.js';
import type { Logger } from '../../src/log.js';
import type { ConsoleChatPort } from './port.js';
import { CONSOLE_PLATFORM, type ConsoleSettings } from './settings.js';
import type { ConsoleTerminal } from './terminal.js';

export interface ConsoleInboundDeps {
  core: ChatInbound;
  port: ConsoleChatPort;
  settings: ConsoleSettings;
  terminal: ConsoleTerminal;
  log: Logger;
  onQuit?: () => void;
}

export interface ConsoleInbound {
  /** Resolves when every line read so far has been handled. */
  idle(): Promise<void>;
  stop(): void;
}

/** Printed once, when everything is up (the line `hermes up` users and tests wait for). */
export const CONSOLE_GREETING = 'Ready: type /hermes help for the commands (quit or Ctrl-C to stop).';

const hint = message('Type /hermes help', section(text('Type /hermes help for the commands.')));

export function readConsole(deps: ConsoleInboundDeps): ConsoleInbound {
  const { core, port, settings, terminal, log } = deps;
  let chain: Promise<void> = Promise.resolve();

  const handle = async (line: string) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (trimmed === 'quit' || trimmed === 'exit') {
      deps.onQuit?.();
      return;
    }
    const textAfter = trimmed.startsWith('/hermes') ? trimmed.slice('/hermes'.length).trim() : trimmed;
    if (trimmed.startsWith('/') && !trimmed.startsWith('/hermes')) {
      port.whisper(hint);
      return;
    }
    await core.handleCommand({
      actor: { platform: CONSOLE_PLATFORM, user: settings.user },
      channel: settings.channel,
      text: textAfter,
      reply: async (m) => port.whisper(m),
    });
  };

  terminal.onLine((line) => {
    chain = chain
      .then(() => handle(line))
      .catch((err: unknown) => log.error({ err }, 'console command failed'));
  });
  terminal.onQuit(() => deps.onQuit?.());
  return {
    idle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    stop: () => terminal.close(),
  };
}
