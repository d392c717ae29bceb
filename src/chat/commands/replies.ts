/** Short private answers shared by the command handlers. */
import type { ChatAction } from '../access.js';
import { message, section, text } from '../message.js';
import type { ChatMessage } from '../port.js';
import type { CommandContext } from './types.js';

export const say = (t: string): ChatMessage => message(t, section(text(t)));

export async function refuse(
  ctx: CommandContext,
  action: ChatAction,
  why: string,
  jobId?: string,
): Promise<void> {
  const { input, deps } = ctx;
  deps.access.record('refused', action, input.actor, input.channel, jobId ? { jobId } : {});
  await input.reply(say(`Not allowed: ${why}. Nothing was done.`));
}
