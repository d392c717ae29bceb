/** `hermes runners add R --key K | --key-file F`: pair a runner with this bot (the line `hermes runner init` prints). */

import { RunnersStore } from '../../bot/runners-store.js';
import { HermesError } from '../../errors.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { type CommandContext, parseFlags, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(
    'runners add',
    ctx.args,
    { key: { type: 'string' }, 'key-file': { type: 'string' } },
    true,
  );
  if (positionals.length !== 1) throw new HermesError('usage', 'runners add: give exactly one runner id');
  if ((values.key === undefined) === (values['key-file'] === undefined)) {
    throw new HermesError('usage', 'runners add: give --key K or --key-file F');
  }
  const key = values.key ?? readSecretFile(values['key-file']!, 'runner key');
  return withRegistry(ctx, (_registry, db) => {
    new RunnersStore(db, ctx.clock).add(positionals[0]!, key);
    writeLine(
      ctx.stdout,
      `runner ${positionals[0]} paired; the bot dispatches its jobs when it reports online`,
    );
    return 0;
  });
}
