/**
 * Wiring of `hermes up`: an embedded broker unless one is configured, the
 * bot with the configured chat adapters (and the console when there are
 * none), and a runner paired as `local`, all in one process.
 */

import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { consolePlugin, consoleTerminal } from '../../adapters/console/plugin.js';
import { styleFor } from '../../adapters/console/style.js';
import type { ConsoleTerminal } from '../../adapters/console/terminal.js';
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
  /** The console chat's terminal, when the console is on: `ready()` shows its prompt. */
  console?: ConsoleTerminal;
  stop(): Promise<void>;
}

async function seenOnline(
  bot: RunningBot,
  runnerId: string,
  clock: Clock,
  timeoutMs: number,
): Promise<boolean> {
  const online = () => bot.runners.list().some((r) => r.id === runnerId && r.state === 'online');
  for (const end = clock.now() + timeoutMs; !online(); ) {
    if (clock.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
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
    let terminal: ConsoleTerminal | undefined;
    if (plugins.length === 0 || opts.console) {
      terminal = consoleTerminal({
        input: opts.input,
        output: opts.output,
        style: styleFor(opts.output as { isTTY?: boolean }, opts.env),
        historyFile: join(config.home, 'console-history'),
      });
      const t = terminal;
      undo.push(async () => t.close());
      plugins.push(consolePlugin({ terminal, ...(opts.onQuit ? { onQuit: opts.onQuit } : {}) }));
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
    // "running" in the banner should be true for chat too: the first card then says "starting",
    // not "waiting for a runner". Bounded: a slow broker only delays the prompt, never blocks it.
    if (!(await seenOnline(bot, LOCAL_RUNNER, clock, 5000))) log.warn('runner local not seen online yet');
    return {
      brokerUrl,
      embedded: broker !== undefined,
      chat,
      bot,
      runner,
      ...(terminal ? { console: terminal } : {}),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
