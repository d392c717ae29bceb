/**
 * The whole journey through Slack: a real broker, the in-process bot with the Slack adapter on the
 * stand-in, and agent commands (`hermes publish`, `hermes ask`) as real child processes.
 * register -> started -> progress -> permission -> button -> ask exits 0 -> completed announced.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackPlugin } from '../../../adapters/slack/plugin.js';
import { loadSlackSettings } from '../../../adapters/slack/settings.js';
import { type RunningBot, startBot } from '../../../src/bot/run-bot.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { SLACK, type SlackFake, startSlackFake } from '../../fakes/slack/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { HERMES_BIN, spawnHermes, tempHome } from '../../helpers/cli.js';
import { pairRunner } from '../../helpers/paired-runner.js';
import { blockTexts, buttonsOf } from './support.js';

let broker: TestBroker;
let slack: SlackFake;
let bot: RunningBot;
let home: string;
let cleanup: () => void;

beforeEach(async () => {
  broker = await startTestBroker();
  slack = await startSlackFake();
  ({ home, cleanup } = tempHome('hermes-journey-'));
  const env = {
    HERMES_HOME: home,
    HERMES_MQTT_URL: broker.url,
    HERMES_LOG_LEVEL: 'silent',
    HERMES_SLACK_API_URL: slack.api.url,
    HERMES_SLACK_ALLOWED_CHANNELS: SLACK.channelId,
    SLACK_BOT_TOKEN: 'xoxb-fake-bot',
    SLACK_APP_TOKEN: 'xapp-fake-app',
  };
  const config = loadConfig({ env });
  // Chat refuses jobs for unpaired runners; the agent here is driven by hand, with no runner.
  pairRunner(config);
  const plugin = slackPlugin(loadSlackSettings(config, env), {
    clientOptions: { retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 10 } },
    tickMs: 100,
  });
  bot = await startBot({
    config,
    log: silentLogger,
    clock: systemClock,
    random: systemRandom,
    plugins: [plugin],
    tickMs: 100,
  });
});
afterEach(async () => {
  await bot.stop();
  await slack.close();
  await broker.stop();
  cleanup();
});

function agentEnv(jobId: string): Record<string, string> {
  const file = join(home, `token-${jobId}`);
  writeFileSync(file, bot.registry.tokenOf(jobId)!, { mode: 0o600 });
  return {
    HERMES_HOME: join(home, 'agent'),
    HERMES_JOB_ID: jobId,
    HERMES_MQTT_URL: broker.url,
    HERMES_TOKEN_FILE: file,
  };
}

async function publish(env: Record<string, string>, event: string, detail: string): Promise<void> {
  const r = await spawnHermes(['publish', '--event', event, '--detail', detail], { env });
  expect(r.code, r.stderr).toBe(0);
}

describe('Slack journey', () => {
  it('register -> thread -> permission -> Approve -> hermes ask exits 0 -> completed announced', async () => {
    await slack.socket.send(
      'slash_commands',
      slack.payloads.slashCommand({ text: 'register demo "tidy the README"' }),
    );
    const card = await slack.api.waitForCall('chat.postMessage');
    const ts = (card.response as { ts: string }).ts;
    const job = bot.registry.list()[0]!;
    expect(job).toMatchObject({ owner: `slack:${SLACK.user.id}`, prompt: 'tidy the README' });
    const env = agentEnv(job.id);

    await publish(env, 'started', 'agent up');
    const started = await slack.api.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts, 10_000);
    expect(blockTexts(started.args.blocks).join('\n')).toContain('*▶ Started*: agent up');
    await publish(env, 'progress', 'reading the README');
    await slack.api.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === ts && String(c.args.text).includes('reading the README'),
      10_000,
    );

    const ask = spawn(
      process.execPath,
      [
        HERMES_BIN,
        'ask',
        '--tool',
        'Bash',
        '--input',
        '{"command":"npm test"}',
        '--reason',
        'run the tests',
        '--timeout',
        '30',
      ],
      {
        env: { PATH: process.env.PATH, HERMES_LOG_LEVEL: 'silent', ...env },
      },
    );
    let out = '';
    ask.stdout.on('data', (c) => (out += c));
    const exited = new Promise<number>((resolve) => ask.on('close', (code) => resolve(code ?? 1)));

    const asked = await slack.api.waitForCall(
      'chat.postMessage',
      (c) => buttonsOf(c.args.blocks).length === 3,
      15_000,
    );
    expect(asked.args.thread_ts).toBe(ts);
    expect(blockTexts(asked.args.blocks).join('\n')).toContain('npm test');
    const approve = buttonsOf(asked.args.blocks).find((b) => b.action_id === 'hermes:approve')!;
    const askedTs = (asked.response as { ts: string }).ts;
    await slack.socket.send(
      'interactive',
      slack.payloads.blockActions({
        actionId: approve.action_id,
        value: approve.value,
        messageTs: askedTs,
        threadTs: ts,
      }),
    );
    expect(await exited).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ decision: 'approve', decided_by: `slack:${SLACK.user.id}` });
    const updated = await slack.api.waitForCall('chat.update', (c) => c.args.ts === askedTs);
    expect(buttonsOf(updated.args.blocks)).toEqual([]);

    await publish(env, 'completed', 'README tidied');
    const announced = await slack.api.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === undefined && String(c.args.text).includes('completed'),
      10_000,
    );
    expect(announced.args.channel).toBe(SLACK.channelId);
    expect(String(announced.args.text)).toMatch(new RegExp(`^Job ${job.id} completed after \\d+s`));
    expect(bot.registry.require(job.id).status).toBe('completed');
    // exactly one announcement, and nothing posted twice
    const posts = slack.api.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200);
    expect(posts.filter((c) => c.args.thread_ts === undefined)).toHaveLength(2);
    expect(new Set(posts.map((c) => String(c.args.text))).size).toBe(posts.length);
  });
});
