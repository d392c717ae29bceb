/** `hermes sessions list [--status S] [--json]` */
import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { sessionToJson } from '../session-record.js';
import { isSessionState, SESSION_STATES } from '../session-states.js';
import { sessionLine } from './format.js';
import { withSessionStore } from './runner-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('sessions list', ctx.args, {
    status: { type: 'string' },
    json: { type: 'boolean' },
  });
  const status = values.status;
  if (status !== undefined && !isSessionState(status)) {
    throw new HermesError('usage', `sessions list: --status must be one of ${SESSION_STATES.join(', ')}`);
  }
  return withSessionStore(ctx, (store) => {
    const sessions = store.list(status === undefined ? {} : { status });
    if (values.json) writeJson(ctx.stdout, sessions.map(sessionToJson));
    else if (sessions.length === 0) writeLine(ctx.stdout, 'no sessions');
    else for (const s of sessions) writeLine(ctx.stdout, sessionLine(s));
    return 0;
  });
}
