/**
 * Approval round trip with the Slack stand-in: `hermes ask` (a real child
 * process) -> permission request with buttons in Slack -> a click -> the
 * agent unblocked with the decision. Real broker, in-process bot with the
 * Slack adapter (real Bolt) on the stand-in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slackPlugin } from '../adapters/slack/plugin.js';
import { loadSlackSettings } from '../adapters/slack/settings.js';
import { startBot } from '../src/bot/run-bot.js';
import { systemClock, systemRandom } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { SLACK, startSlackFake } from '../test/fakes/slack/index.js';
import { benchBroker, median } from './support.js';
import type { BenchResult } from './types.js';

const ROUNDS = Number(process.env.HERMES_BENCH_ROUNDS ?? 7);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');

function buttons(blocks: unknown): Array<{ action_id: string; value: string }> {
  const out: Array<{ action_id: string; value: string }> = [];
  for (const b of (blocks ?? []) as Array<{
    type: string;
    elements?: Array<{ type: string; action_id: string; value: string }>;
  }>) {
    if (b.type === 'actions') for (const e of b.elements ?? []) if (e.type === 'button') out.push(e);
  }
  return out;
}

async function pollFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for the permission request in Slack');
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const slack = await startSlackFake();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  const env = {
    HERMES_HOME: home,
    HERMES_MQTT_URL: broker.url,
    HERMES_LOG_LEVEL: 'silent',
    HERMES_SLACK_API_URL: slack.api.url,
    HERMES_SLACK_ALLOWED_CHANNELS: SLACK.channelId,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_APP_TOKEN: 'xapp-bench',
  };
  const config = loadConfig({ env });
  const bot = await startBot({
    config,
    log: silentLogger,
    clock: systemClock,
    random: systemRandom,
    tickMs: 100,
    plugins: [
      slackPlugin(loadSlackSettings(config, env), {
        clientOptions: { retryConfig: { retries: 2 } },
        tickMs: 100,
      }),
    ],
  });
  const toButtons: number[] = [];
  const toUnblocked: number[] = [];
  const total: number[] = [];
  try {
    await slack.socket.send('slash_commands', slack.payloads.slashCommand({ text: 'register demo "bench"' }));
    await slack.api.waitForCall('chat.postMessage');
    const job = bot.registry.list()[0]!;
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, bot.registry.tokenOf(job.id)!, { mode: 0o600 });
    const agentEnv = {
      PATH: process.env.PATH,
      HERMES_HOME: join(home, 'agent'),
      HERMES_JOB_ID: job.id,
      HERMES_MQTT_URL: broker.url,
      HERMES_TOKEN_FILE: tokenFile,
    };
    for (let i = 0; i < ROUNDS; i++) {
      const seen = slack.api.calls.length;
      const t0 = performance.now();
      const ask = spawn(
        process.execPath,
        [BIN, 'ask', '--tool', 'Bash', '--input', `{"command":"make ${i}"}`, '--timeout', '60'],
        { env: agentEnv },
      );
      const exited = new Promise<number>((resolve) => ask.on('close', (code) => resolve(code ?? 1)));
      // Poll the recorded calls (a call is logged before its body is parsed, so waiters can miss it).
      const asked = await pollFor(
        () =>
          slack.api.calls.find(
            (c) =>
              c.seq >= seen &&
              c.method === 'chat.postMessage' &&
              buttons(c.args.blocks).length > 0 &&
              JSON.stringify(c.args.blocks).includes(`make ${i}`),
          ),
        30_000,
      );
      const t1 = performance.now();
      const approve = buttons(asked.args.blocks).find((b) => b.action_id === 'hermes:approve')!;
      await slack.socket.send(
        'interactive',
        slack.payloads.blockActions({
          actionId: approve.action_id,
          value: approve.value,
          messageTs: (asked.response as { ts: string }).ts,
        }),
      );
      const code = await exited;
      const t2 = performance.now();
      if (code !== 0) throw new Error(`hermes ask exited ${code}`);
      toButtons.push(t1 - t0);
      toUnblocked.push(t2 - t1);
      total.push(t2 - t0);
    }
  } finally {
    await bot.stop();
    await slack.close();
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
  const ms = (x: number) => Number(x.toFixed(1));
  return [
    {
      name: `ask -> buttons posted in Slack (median of ${ROUNDS})`,
      value: ms(median(toButtons)),
      unit: 'ms',
      note: 'includes starting the hermes ask process',
    },
    { name: 'click -> agent unblocked (ask exits)', value: ms(median(toUnblocked)), unit: 'ms' },
    { name: 'approval round trip without the person', value: ms(median(total)), unit: 'ms' },
  ];
}
