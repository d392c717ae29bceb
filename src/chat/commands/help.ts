/** `help`: every command's usage, privately. Also the answer to bad input. */
import { closest } from '../../suggest.js';
import { bold, code, context, message, section, text } from '../message.js';
import type { ChatMessage } from '../port.js';
import type { CommandHandler } from './types.js';

export function usageMessage(
  handlers: readonly CommandHandler[],
  problem?: string,
  only?: CommandHandler,
): ChatMessage {
  const shown = only ? [only] : handlers;
  return message(
    problem ? `hermes: ${problem}` : 'hermes commands',
    ...(problem ? [section(bold('⚠ '), text(problem))] : []),
    ...shown.map((h) => section(code(`/hermes ${h.usage}`), text(` — ${h.summary}`))),
    ...(only ? [context(text('/hermes help lists every command.'))] : []),
  );
}

/** Built with the table it describes (see index.ts). */
export function helpCommand(all: () => readonly CommandHandler[]): CommandHandler {
  return {
    name: 'help',
    usage: 'help [command]',
    summary: "this list, or one command's usage",
    async run(ctx) {
      const name = ctx.args[0]?.value.toLowerCase();
      if (!name) {
        await ctx.input.reply(usageMessage(all()));
        return;
      }
      const one = all().find((h) => h.name === name);
      if (one) {
        await ctx.input.reply(usageMessage(all(), undefined, one));
        return;
      }
      const near = closest(
        name,
        all().map((h) => h.name),
      );
      const nearly = near ? all().find((h) => h.name === near) : undefined;
      await ctx.input.reply(
        usageMessage(
          all(),
          `no command "${name.slice(0, 40)}"${near ? `; did you mean "${near}"?` : ''}`,
          nearly,
        ),
      );
    },
  };
}
