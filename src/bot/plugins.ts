/**
 * Which plugins a bot process runs, decided from config and environment:
 * the runner dispatcher always, chat adapters when their credentials exist.
 * Adapters are imported lazily so a headless bot never loads a chat SDK.
 */
import type { Config, Env } from '../config/load.js';
import type { Logger } from '../log.js';
import type { BotPlugin } from './plugin.js';

export async function botPluginsFor(config: Config, env: Env, log: Logger): Promise<BotPlugin[]> {
  const plugins: BotPlugin[] = [];
  // settings.ts has no Slack SDK import; the adapter (and @slack/bolt) loads only with a token.
  const slack = await import('../../adapters/slack/settings.js');
  if (slack.slackConfigured(config, env)) {
    const settings = slack.loadSlackSettings(config, env);
    const { slackPlugin } = await import('../../adapters/slack/plugin.js');
    log.info({ mode: settings.mode }, 'Slack adapter configured');
    plugins.push(slackPlugin(settings));
  }
  // Likewise settings.ts has no discord.js import; discord.js loads only with a Discord token.
  const discord = await import('../../adapters/discord/settings.js');
  if (discord.discordConfigured(config, env)) {
    const settings = discord.loadDiscordSettings(config, env, (m) => log.warn(m));
    const { discordPlugin } = await import('../../adapters/discord/plugin.js');
    log.info({ guild: settings.guildId }, 'Discord adapter configured');
    plugins.push(discordPlugin(settings));
  }
  return plugins;
}
