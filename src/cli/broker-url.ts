/**
 * Which broker a CLI command talks to, and why: `--mqtt`, else the broker the running bot of this
 * $HERMES_HOME uses (bot.json: `hermes up` may have taken a free port, `hermes bot --mqtt URL` a
 * broker of its own), else mqtt.url (HERMES_MQTT_URL), else the local default.
 */
import { DEFAULT_BROKER_URL, resolveBrokerUrl } from '../mqtt/options.js';
import { runningBot } from './bot-link.js';
import type { CommandContext } from './context.js';

export interface BrokerChoice {
  url: string;
  /** Where it came from, for messages: `--mqtt`, `the running bot (hermes up, pid 12)`, … */
  source: string;
}

export function cliBrokerUrl(ctx: CommandContext, flag: string | undefined): BrokerChoice {
  const config = ctx.config();
  if (flag !== undefined) return { url: resolveBrokerUrl(config, flag), source: '--mqtt' };
  const bot = runningBot(ctx);
  if (bot) {
    return {
      url: resolveBrokerUrl(config, bot.broker_url),
      source: `the running bot (${bot.process ?? 'hermes bot'}, pid ${bot.pid})`,
    };
  }
  if (config.mqtt.url) return { url: resolveBrokerUrl(config), source: 'mqtt.url' };
  return { url: DEFAULT_BROKER_URL, source: 'the default (no bot running on this HERMES_HOME)' };
}
