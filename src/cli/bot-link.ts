/**
 * The CLI's way to the running bot of its $HERMES_HOME (bot.json and the control socket): state
 * changes go through it when it runs, so chat, runners and decisions stay in step; without one
 * the command works on the database and says that chat catches up when the bot starts.
 */
import { type BotAddress, readBotAddress } from '../bot/control/bot-address.js';
import { ControlAnswer } from '../bot/control/protocol.js';
import { HermesError } from '../errors.js';
import { askSocket, SocketUnavailable } from '../ipc/line-socket-client.js';
import type { CommandContext } from './context.js';

/** Said by state-changing commands that ran without a bot. */
export const NO_BOT_NOTE =
  'no bot is running on this HERMES_HOME: done in the database; chat catches up when the bot starts';

const CALL_TIMEOUT_MS = 30_000;

export function runningBot(ctx: CommandContext): BotAddress | undefined {
  return readBotAddress(ctx.config().home);
}

/**
 * Runs `op` in the running bot. Undefined when no bot runs here (or its socket does not answer:
 * it died); a refusal by the bot is thrown as the HermesError it was.
 */
export async function callRunningBot(
  ctx: CommandContext,
  op: string,
  args: Record<string, unknown>,
): Promise<{ result: unknown } | undefined> {
  const bot = runningBot(ctx);
  if (!bot) return undefined;
  let raw: unknown;
  try {
    raw = await askSocket(bot.socket, { op, args }, CALL_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof SocketUnavailable) return undefined;
    throw e;
  }
  const answer = ControlAnswer.safeParse(raw);
  if (!answer.success)
    throw new HermesError('malformed', 'the running bot sent an answer this CLI cannot read');
  if (!answer.data.ok) {
    const { code, message, hint } = answer.data.error;
    throw new HermesError(code, message, hint ? { hint } : undefined);
  }
  return { result: answer.data.result };
}
