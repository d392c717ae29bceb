/**
 * A flood of progress events on 10 jobs in one Slack channel, through the chat core and the Slack
 * adapter (real Bolt WebClient) against the Slack stand-in. Measures Slack message calls
 * (chat.postMessage + chat.update) per second in the channel while the flood runs (goal: about
 * one), and checks that every permission request and every terminal notification arrived.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slackPlugin } from '../adapters/slack/plugin.js';
import { loadSlackSettings } from '../adapters/slack/settings.js';
import { BotCore } from '../src/bot/bot-core.js';
import type { BotContext } from '../src/bot/plugin.js';
import { noRunners } from '../src/bot/runner-control.js';
import { isoTime, systemClock, systemRandom } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { silentLogger } from '../src/log.js';
import type { MqttBus } from '../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../src/protocol/lossless-json.js';
import { signEnvelope } from '../src/protocol/signing.js';
import { encodeWire } from '../src/protocol/wire.js';
import { memoryAudit } from '../src/relay/audit.js';
import { openBotDb } from '../src/store/bot-db.js';
import { SLACK, startSlackFake } from '../test/fakes/slack/index.js';
import type { BenchResult } from './types.js';

const JOBS = 10;
const SECONDS = Number(process.env.HERMES_BENCH_FLOOD_SECONDS ?? 20);
/** Progress events per second per job. */
const RATE = Number(process.env.HERMES_BENCH_FLOOD_RATE ?? 10);

const quietBus: MqttBus = {
  connected: true,
  publish: async () => undefined,
  subscribe: async () => undefined,
  onMessage: () => () => undefined,
  onConnectionChange: () => () => undefined,
  close: async () => undefined,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<BenchResult[]> {
  const slack = await startSlackFake();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-flood-'));
  const env = {
    HERMES_HOME: home,
    HERMES_SLACK_API_URL: slack.api.url,
    HERMES_SLACK_ALLOWED_CHANNELS: SLACK.channelId,
    SLACK_BOT_TOKEN: 'xoxb-fake-bot',
    SLACK_APP_TOKEN: 'xapp-fake-app',
  };
  const config = loadConfig({ env });
  const db = openBotDb(config, silentLogger);
  const registry = new JobRegistry(db, systemClock, systemRandom);
  const core = new BotCore({
    config,
    registry,
    bus: quietBus,
    clock: systemClock,
    log: silentLogger,
    audit: memoryAudit(),
  });
  const ctx: BotContext = {
    core,
    runners: noRunners,
    registry,
    db,
    bus: quietBus,
    config,
    clock: systemClock,
    random: systemRandom,
    log: silentLogger,
  };
  const stop = await slackPlugin(loadSlackSettings(config, env), { tickMs: 1000 })(ctx);
  try {
    const jobs = [];
    for (let i = 0; i < JOBS; i++) {
      await slack.socket.send(
        'slash_commands',
        slack.payloads.slashCommand({ text: `register demo flood job ${i}` }),
      );
      jobs.push(await waitForJob(registry, i));
    }
    await waitForCalls(slack, (c) => c.method === 'chat.postMessage', JOBS);
    const seqs = new Map<string, number>();
    const send = (jobId: string, event: string, detail: string, data: Record<string, unknown> = {}) => {
      const seq = (seqs.get(jobId) ?? 0) + 1;
      seqs.set(jobId, seq);
      const env1 = fromPlain({
        schema_version: 1,
        job_id: jobId,
        seq,
        event,
        timestamp: isoTime(Date.now()),
        detail,
        data,
      }) as JsonObject;
      const wire = encodeWire(signEnvelope(env1, registry.tokenOf(jobId)!));
      core.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
    };

    const mark = slack.api.calls.length;
    const t0 = Date.now();
    let events = 0;
    const askAt = new Map(jobs.map((j, i) => [j, Math.floor(((i + 1) / (JOBS + 1)) * SECONDS * RATE)]));
    for (let tick = 0; tick < SECONDS * RATE; tick++) {
      for (const j of jobs) {
        send(j, 'progress', `step ${tick}`);
        events++;
        if (askAt.get(j) === tick)
          send(j, 'permission_required', 'may I?', {
            request_id: `r-${tick}`,
            tool: 'Bash',
            input: { command: 'npm test' },
          });
      }
      await sleep(1000 / RATE);
    }
    const floodEnd = Date.now();
    const floodCalls = slack.api.calls
      .slice(mark)
      .filter(
        (c) =>
          (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
          c.args.channel === SLACK.channelId &&
          c.at <= floodEnd,
      );
    const asks = floodCalls.filter((c) =>
      JSON.stringify(c.args.blocks ?? '').includes('hermes:approve'),
    ).length;
    for (const j of jobs) send(j, 'completed', 'done');
    await waitForCalls(
      slack,
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === undefined &&
        String(c.args.text).includes('completed'),
      JOBS,
      60_000,
    );

    const posts = slack.api.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200);
    const permissions = posts.filter((c) =>
      JSON.stringify(c.args.blocks ?? '').includes('hermes:approve'),
    ).length;
    const terminalThread = posts.filter(
      (c) => c.args.thread_ts !== undefined && String(c.args.text).endsWith('completed'),
    ).length;
    const announced = posts.filter(
      (c) => c.args.thread_ts === undefined && String(c.args.text).includes('completed'),
    ).length;
    const seconds = (floodEnd - t0) / 1000;
    const perSecond = floodCalls.length / seconds;
    return [
      {
        name: 'Slack message calls per second in the channel during the flood',
        value: Number(perSecond.toFixed(2)),
        unit: 'calls/s',
        anchor: { name: 'progress events in, per second', value: Math.round(events / seconds) },
        goal: {
          text: 'about one call per second per channel (≤ 1.2, permission requests included)',
          met: perSecond <= 1.2,
        },
        note: `${JOBS} jobs, ${RATE} progress/s each, ${SECONDS} s: ${floodCalls.length} calls, of them ${asks} permission requests (never held back) and ${floodCalls.length - asks} merged progress posts/edits`,
      },
      {
        name: 'permission requests delivered',
        value: permissions,
        unit: `of ${JOBS}`,
        goal: { text: 'every one', met: permissions === JOBS },
      },
      {
        name: 'terminal notifications delivered (thread + channel)',
        value: terminalThread + announced,
        unit: `of ${2 * JOBS}`,
        goal: { text: 'every one, exactly once', met: terminalThread === JOBS && announced === JOBS },
      },
    ];
  } finally {
    await stop();
    core.stop();
    db.close();
    await slack.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function waitForJob(registry: JobRegistry, index: number): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const j = registry.list()[index];
    if (j) return j.id;
    await sleep(10);
  }
  throw new Error('registration did not happen');
}

async function waitForCalls(
  slack: Awaited<ReturnType<typeof startSlackFake>>,
  match: (c: (typeof slack.api.calls)[number]) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<void> {
  const t0 = Date.now();
  while (slack.api.calls.filter(match).length < count) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`only ${slack.api.calls.filter(match).length} of ${count} Slack calls arrived`);
    await sleep(20);
  }
}
