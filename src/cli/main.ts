/** `hermes` entry: find the command, run it, map failures to one stderr line and an exit code. */

import { describeError, HermesError, isHermesError } from '../errors.js';
import { findCommand } from './commands.js';
import { type ContextInit, createContext } from './context.js';
import { commandHelp, groupHelp, groupOf, helpText, unknownCommand } from './help.js';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export { helpText } from './help.js';

function extractConfigFlag(argv: string[]): { argv: string[]; configFile?: string } {
  const out: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // Everything after `--` belongs to the command (`hermes run -- agent --config x`).
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--config') {
      configFile = argv[++i];
      if (!configFile) throw new HermesError('usage', '--config needs a file');
    } else if (a.startsWith('--config=')) configFile = a.slice('--config='.length);
    else out.push(a);
  }
  return { argv: out, configFile };
}

export async function runCli(
  argv: string[],
  init: Omit<ContextInit, 'args' | 'configFile'>,
): Promise<number> {
  try {
    const { argv: rest0, configFile } = extractConfigFlag(argv);
    if (rest0.length === 0 || rest0[0] === '--help' || rest0[0] === '-h' || rest0[0] === 'help') {
      init.stdout.write(`${helpText()}\n`);
      return rest0.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (rest0[0] === '--version') {
      init.stdout.write('hermes 0.1.0\n');
      return EXIT.ok;
    }
    const found = findCommand(rest0);
    if (!found) {
      const isHelp = rest0[1] === '--help' || rest0[1] === '-h';
      // A group's first word alone, or with --help: the group's commands (`hermes jobs --help`).
      if (groupOf(rest0[0]!).length > 0 && (rest0.length === 1 || isHelp)) {
        (isHelp ? init.stdout : init.stderr).write(`${groupHelp(rest0[0]!)}\n`);
        return isHelp ? EXIT.ok : EXIT.usage;
      }
      init.stderr.write(`${unknownCommand(rest0)}\n`);
      return EXIT.usage;
    }
    // Help only as the first word after the command: anywhere else `-h` may be an option's value
    // (agent text in `ask --reason`), and must not skip the command with a success exit.
    if (found.rest[0] === '--help' || found.rest[0] === '-h') {
      init.stdout.write(`${commandHelp(found.entry)}\n`);
      // ask's exit 0 means "approved": its help must not look like one.
      return found.entry.words.join(' ') === 'ask' ? EXIT.usage : EXIT.ok;
    }
    const mod = await found.entry.load();
    return await mod.run(
      createContext({ ...init, args: found.rest, configFile, longRunning: found.entry.longRunning }),
    );
  } catch (e) {
    init.stderr.write(`hermes: ${describeError(e)}\n`);
    if (isHermesError(e, 'usage')) return EXIT.usage;
    if (!isHermesError(e)) init.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    return EXIT.failure;
  }
}
