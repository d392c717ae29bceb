/** The console adapter as a contract driver: one local person, no buttons, nobody to ping. */
import { PassThrough } from 'node:stream';
import { toLines } from '../../../adapters/console/blocks.js';
import { readConsole } from '../../../adapters/console/inbound.js';
import { ConsoleChatPort } from '../../../adapters/console/port.js';
import { CONSOLE_CHANNEL, consoleSettings } from '../../../adapters/console/settings.js';
import { ConsoleTerminal } from '../../../adapters/console/terminal.js';
import { silentLogger } from '../../../src/log.js';
import type { ChatPortDriver, DriverFactory } from '../chat-port.contract.js';

export const consoleDriver: DriverFactory = async (core) => {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (c: Buffer) => {
    printed += c.toString('utf8');
  });
  const settings = consoleSettings();
  const terminal = new ConsoleTerminal({ input, output, interactive: false });
  const port = new ConsoleChatPort(terminal);
  const inbound = readConsole({ core, port, settings, terminal, log: silentLogger });
  const driver: ChatPortDriver = {
    port,
    channel: CONSOLE_CHANNEL,
    canPing: false,
    hasButtons: false,
    users: [settings.user, 'someone-else'],
    async read(ref) {
      const m = port.messages.get(ref.id);
      if (!m) throw new Error(`no console message ${ref.id}`);
      return { text: toLines(m.content).join('\n'), buttons: [], pings: [], links: [], thread: m.thread };
    },
    inbound: {
      async command(user, text) {
        if (user !== settings.user) throw new Error('the console has one person');
        input.write(`/hermes ${text}\n`);
        await inbound.idle();
      },
      click: async () => {
        throw new Error('the console has no buttons');
      },
      submitReason: async () => {
        throw new Error('the console has no modals');
      },
      privateTo: async (user) =>
        user === settings.user
          ? printed
              .split('\n')
              .filter((l) => l.startsWith('  (you) '))
              .map((l) => l.slice('  (you) '.length))
          : [],
    },
    async close() {
      inbound.stop();
    },
  };
  return driver;
};
