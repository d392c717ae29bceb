/** `hermes runner init --id R [--force] [--json]`: create this runner's identity and pairing key. */
import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { identityPath, initRunnerIdentity, pairingCommand } from '../daemon/identity.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('runner init', ctx.args, {
    id: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (!values.id) throw new HermesError('usage', 'runner init: --id R is required');
  const home = ctx.config().home;
  const identity = initRunnerIdentity({
    home,
    runnerId: values.id,
    clock: ctx.clock,
    random: ctx.random,
    force: values.force === true,
  });
  if (values.json) {
    writeJson(ctx.stdout, { runner_id: identity.runnerId, key: identity.key });
    return 0;
  }
  writeLine(ctx.stdout, `runner ${identity.runnerId} created; its key is in ${identityPath(home)} (0600)`);
  writeLine(
    ctx.stdout,
    'pair it by running this on the bot host (the key is a secret: do not paste it in chat):',
  );
  writeLine(ctx.stdout, '');
  writeLine(ctx.stdout, `  ${pairingCommand(identity)}`);
  writeLine(ctx.stdout, '');
  writeLine(ctx.stdout, `then start the runner: hermes runner --id ${identity.runnerId}`);
  return 0;
}
