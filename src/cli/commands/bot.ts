/** `hermes bot [--mqtt URL]`: the bot process. Headless when no chat adapter is configured. */

import { botPluginsFor } from '../../bot/plugins.js';
import { startBot } from '../../bot/run-bot.js';
import { type CommandContext, parseFlags } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('bot', ctx.args, { mqtt: { type: 'string' } });
  const config = ctx.config();
  const log = ctx.logger();
  const plugins = await botPluginsFor(config, ctx.env, log);
  const bot = await startBot({
    config,
    log,
    clock: ctx.clock,
    random: ctx.random,
    brokerUrl: values.mqtt,
    plugins,
  });
  if (plugins.length === 0)
    log.info('no chat adapter configured: running headless (events are relayed and recorded)');
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info('stopping');
  await bot.stop();
  return 0;
}
