/**
 * The running bot's control socket: CLI commands on the same $HERMES_HOME send state changes
 * (cancel, decide, register, …) here, so chat, runners and decisions see them as if made in chat.
 * Each request is looked up in the handler table; its arguments are checked by the handler's
 * schema; a known failure goes back coded, with its hint, for the CLI to print.
 */
import { HermesError, isHermesError } from '../../errors.js';
import { startSocketServer } from '../../ipc/line-socket-server.js';
import { formatIssues } from '../../protocol/schemas.js';
import type { BotContext } from '../plugin.js';
import type { ControlHandler } from './handler.js';
import { type ControlAnswer, ControlRequest } from './protocol.js';

export interface ControlServer {
  close(): Promise<void>;
}

/** Answers one request line (exported for tests that need no socket). */
export async function answerControl(
  ctx: BotContext,
  handlers: readonly ControlHandler[],
  line: string,
): Promise<ControlAnswer> {
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new HermesError('malformed', 'the request is not JSON');
    }
    const req = ControlRequest.safeParse(raw);
    if (!req.success) throw new HermesError('schema', `bad request: ${formatIssues(req.error)}`);
    const handler = handlers.find((h) => h.op === req.data.op);
    if (!handler) {
      throw new HermesError('usage', `the running bot has no operation "${req.data.op}"`, {
        hint: 'it may be older than this CLI; restart it',
      });
    }
    const args = handler.args.safeParse(req.data.args ?? {});
    if (!args.success) throw new HermesError('usage', `${handler.op}: ${formatIssues(args.error)}`);
    return { ok: true, result: (await handler.run(ctx, args.data)) ?? null };
  } catch (e) {
    if (isHermesError(e)) {
      return { ok: false, error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
    }
    ctx.log.error({ err: e }, 'control request failed');
    return { ok: false, error: { code: 'store', message: 'the bot failed to do it (see its log)' } };
  }
}

export function startControlServer(
  ctx: BotContext,
  handlers: readonly ControlHandler[],
  path: string,
): Promise<ControlServer> {
  return startSocketServer({
    path,
    handler: (line) => answerControl(ctx, handlers, line),
    log: ctx.log.child({ name: 'control' }),
    maxLineBytes: 256 * 1024,
    label: 'bot control socket',
    busyHint: 'is another bot using this HERMES_HOME?',
  });
}
