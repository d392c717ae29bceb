/** `help`: every command's usage, privately. Also the answer to bad input. */
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
    usage: 'help',
    summary: 'this list',
    async run(ctx) {
      await ctx.input.reply(usageMessage(all()));
    },
  };
}
