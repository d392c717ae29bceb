/**
 * `hermes runner [--id R] [--linger SECONDS] [--schedule CRON] [--mqtt URL] [--no-relay]`:
 * the runner daemon, until Ctrl-C or SIGTERM. Flags override the config file.
 */
import { type CommandContext, parseFlags } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { startRunner } from '../daemon/run-runner.js';

function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new HermesError('usage', `runner: ${flag} takes a whole number of seconds`);
  return Number(raw);
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('runner', ctx.args, {
    id: { type: 'string' },
    linger: { type: 'string' },
    schedule: { type: 'string' },
    mqtt: { type: 'string' },
    'no-relay': { type: 'boolean' },
  });
  const config = ctx.config();
  const log = ctx.logger();
  if (ctx.signal.aborted) return 0;
  const runner = await startRunner({
    config,
    log,
    clock: ctx.clock,
    random: ctx.random,
    env: ctx.env,
    runnerId: values.id,
    brokerUrl: values.mqtt,
    lingerSeconds: seconds('--linger', values.linger),
    schedule: values.schedule,
    relay: values['no-relay'] !== true,
  });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info('stopping the runner; tmux sessions keep running');
  await runner.stop();
  log.info('runner stopped');
  return 0;
}
