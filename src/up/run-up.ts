/**
 * Wiring of `hermes up`: an embedded broker unless one is configured, the
 * bot with the configured chat adapters (and the console when there are
 * none), and a runner paired as `local`, all in one process.
 */
import type { Readable, Writable } from 'node:stream';
import { consolePlugin } from '../../adapters/console/plugin.js';
import { type RunningRunner, startRunner } from '../../runner/daemon/run-runner.js';
import type { BotPlugin } from '../bot/plugin.js';
import { botPluginsFor } from '../bot/plugins.js';
import { type RunningBot, startBot } from '../bot/run-bot.js';
import type { Clock, Random } from '../clock.js';
import type { Config, Env } from '../config/load.js';
import type { Logger } from '../log.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { joinBrokerUrls } from '../mqtt/endpoints.js';
import { ensureLocalRunner, LOCAL_RUNNER } from './local-pairing.js';

export interface UpOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  random: Random;
  env: Env;
  /** `--mqtt`; else mqtt.url; else an embedded broker. */
  brokerUrl?: string;
  /** Force the console chat even when Slack or Discord is configured. */
  console?: boolean;
  input: Readable;
  output: Writable;
  lingerSeconds?: number;
  /** The console's `quit`. */
  onQuit?: () => void;
  /** Port of the embedded broker (default 1883, a free one if taken). */
  embeddedPort?: number;
}

export interface RunningUp {
  brokerUrl: string;
  embedded: boolean;
  chat: string[];
  bot: RunningBot;
  runner: RunningRunner;
  stop(): Promise<void>;
}

export async function startUp(opts: UpOptions): Promise<RunningUp> {
  const { log, clock, random } = opts;
  let config = opts.config;
  const undo: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const u of undo.splice(0).reverse()) {
      try {
        await u();
      } catch (err) {
        log.warn({ err }, 'error while stopping');
      }
    }
  };
  try {
    let brokerUrl = opts.brokerUrl ?? (config.mqtt.url ? joinBrokerUrls(config.mqtt.url) : undefined);
    let broker: EmbeddedBroker | undefined;
    if (!brokerUrl) {
      broker = await startEmbeddedBroker({
        port: opts.embeddedPort ?? 1883,
        fallbackToFreePort: true,
        log: log.child({ name: 'broker' }),
      });
      undo.push(() => broker!.close());
      brokerUrl = broker.url;
      // aedes refuses MQTT 5 clients.
      if (config.mqtt.protocol_version !== 4) {
        log.warn('mqtt.protocol_version 5 ignored: the embedded broker speaks MQTT 3.1.1 only');
        config = { ...config, mqtt: { ...config.mqtt, protocol_version: 4 } };
      }
    }
    const plugins: BotPlugin[] = await botPluginsFor(config, opts.env, log);
    const chat = plugins.length > 0 && !opts.console ? ['configured adapters'] : [];
    if (plugins.length === 0 || opts.console) {
      plugins.push(
        consolePlugin({
          input: opts.input,
          output: opts.output,
          ...(opts.onQuit ? { onQuit: opts.onQuit } : {}),
        }),
      );
      chat.push('console');
    }
    const bot = await startBot({
      config,
      log,
      clock,
      random,
      brokerUrl,
      plugins,
      control: { process: 'hermes up' },
    });
    undo.push(() => bot.stop());
    ensureLocalRunner(config.home, bot.db, clock, random);
    const runner = await startRunner({
      config,
      log,
      clock,
      random,
      env: opts.env,
      runnerId: LOCAL_RUNNER,
      brokerUrl,
      ...(opts.lingerSeconds !== undefined ? { lingerSeconds: opts.lingerSeconds } : {}),
    });
    undo.push(() => runner.stop());
    bot.runners.kick();
    return { brokerUrl, embedded: broker !== undefined, chat, bot, runner, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
