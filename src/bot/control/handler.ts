/**
 * One operation of the bot's control socket: its name, the zod schema of its arguments, and what
 * it does with the running bot. The table of them is control/handlers.ts; a new operation is one
 * file and one line there.
 */
import type { z } from 'zod';
import type { BotContext } from '../plugin.js';

export interface ControlHandler<A = unknown> {
  op: string;
  args: z.ZodType<A>;
  run(ctx: BotContext, args: A): Promise<unknown>;
}

/** Keeps each handler's argument type while the table holds them side by side. */
export function defineHandler<A>(handler: ControlHandler<A>): ControlHandler {
  return handler as unknown as ControlHandler;
}
