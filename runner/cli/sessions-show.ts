/** `hermes sessions show NAME [--json]` (NAME: a session name or its job id) */
import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { sessionToJson } from '../session-record.js';
import { sessionDetail } from './format.js';
import { withSessionStore } from './runner-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('sessions show', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1)
    throw new HermesError('usage', 'sessions show: give exactly one session name or job id');
  return withSessionStore(ctx, (store) => {
    const s = store.require(positionals[0]!);
    if (values.json) writeJson(ctx.stdout, sessionToJson(s));
    else for (const l of sessionDetail(s)) writeLine(ctx.stdout, l);
    return 0;
  });
}
