/**
 * An in-process bot on a temp $HERMES_HOME against a given broker, plus the
 * environment an agent process needs for one of its jobs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { BotPlugin } from '../../src/bot/plugin.js';
import { type RunningBot, startBot } from '../../src/bot/run-bot.js';
import { type Clock, systemClock, systemRandom } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import type { Job } from '../../src/jobs/job.js';
import { silentLogger } from '../../src/log.js';
import { auditPath } from '../../src/relay/audit.js';
import { startTestBroker, type TestBroker } from './brokers.js';
import { tempHome } from './cli.js';

export interface BotHarness {
  home: string;
  config: Config;
  bot: RunningBot | undefined;
  start(): Promise<RunningBot>;
  stop(): Promise<void>;
  register(opts?: { auth?: 'none' }): { job: Job; token: string | null };
  agentEnv(job: Job, token: string | null): Record<string, string>;
  audit(): Array<Record<string, unknown>>;
}

export function botHarness(
  home: string,
  brokerUrl: string,
  extraEnv: Record<string, string> = {},
  clock: Clock = systemClock,
  /** Attached at start (a console chat, say). */
  plugins: BotPlugin[] = [],
): BotHarness {
  const config = loadConfig({
    env: { HERMES_HOME: home, HERMES_MQTT_URL: brokerUrl, HERMES_LOG_LEVEL: 'silent', ...extraEnv },
  });
  const h: BotHarness = {
    home,
    config,
    bot: undefined,
    async start() {
      h.bot = await startBot({
        config,
        log: silentLogger,
        clock,
        random: systemRandom,
        tickMs: 100,
        plugins,
      });
      return h.bot;
    },
    async stop() {
      await h.bot?.stop();
      h.bot = undefined;
    },
    register(opts = {}) {
      if (!h.bot) throw new Error('start the bot first');
      const job = h.bot.registry.register({
        profile: 'demo',
        owner: 'test',
        auth: opts.auth === 'none' ? { kind: 'none' } : { kind: 'generate' },
      });
      return { job, token: h.bot.registry.tokenOf(job.id) };
    },
    agentEnv(job, token) {
      const agentHome = join(home, 'agent');
      const env: Record<string, string> = {
        HERMES_HOME: agentHome,
        HERMES_JOB_ID: job.id,
        HERMES_MQTT_URL: brokerUrl,
      };
      if (token !== null) {
        const file = join(home, `token-${job.id}`);
        writeFileSync(file, token, { mode: 0o600 });
        env.HERMES_TOKEN_FILE = file;
      } else env.HERMES_NO_AUTH = '1';
      return env;
    },
    audit() {
      try {
        return readFileSync(auditPath(home), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
  };
  return h;
}

/**
 * A real broker (Mosquitto on a free port) and a started in-process bot on a fresh home, set up
 * once for the test file (`file`) or around every test (`each`) and torn down after. `ready`
 * gets them after each set-up (test files keep them in module variables).
 */
export function useBotOnBroker(
  scope: 'file' | 'each',
  ready: (broker: TestBroker, h: BotHarness) => void,
  extraEnv: Record<string, string> = {},
): void {
  let broker: TestBroker | undefined;
  let h: BotHarness | undefined;
  let cleanup = () => {};
  const setUp = async () => {
    broker = await startTestBroker();
    const t = tempHome();
    cleanup = t.cleanup;
    h = botHarness(t.home, broker.url, extraEnv);
    await h.start();
    ready(broker, h);
  };
  const tearDown = async () => {
    await h?.stop();
    await broker?.stop();
    cleanup();
  };
  if (scope === 'file') {
    beforeAll(setUp);
    afterAll(tearDown);
  } else {
    beforeEach(setUp);
    afterEach(tearDown);
  }
}
