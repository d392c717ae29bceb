/**
 * Lines typed at the console into the chat core: `/hermes …` (or the command alone) becomes one
 * handleCommand call by the console's person, in order, one at a time. `quit` / `exit` ask the
 * process to stop. The console has no buttons: approvals are typed (`/hermes approve`).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { message, section, text } from '../../src/chat/message.js';
import type { ChatInbound } from '../../src/chat/port.js';
import type { Logger } from '../../src/log.js';
import type { ConsoleChatPort } from './port.js';
import { CONSOLE_PLATFORM, type ConsoleSettings } from './settings.js';

export interface ConsoleInboundDeps {
  core: ChatInbound;
  port: ConsoleChatPort;
  settings: ConsoleSettings;
  input: Readable;
  log: Logger;
  onQuit?: () => void;
}

export interface ConsoleInbound {
  /** Resolves when every line read so far has been handled. */
  idle(): Promise<void>;
  stop(): void;
}

const hint = message(
  'Type /hermes help',
  section(text('Type /hermes help for the commands (quit to stop).')),
);

export function readConsole(deps: ConsoleInboundDeps): ConsoleInbound {
  const { core, port, settings, input, log } = deps;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
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

  rl.on('line', (line) => {
    chain = chain
      .then(() => handle(line))
      .catch((err: unknown) => log.error({ err }, 'console command failed'));
  });
  port.whisper(hint);
  return {
    idle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    stop: () => rl.close(),
  };
}
