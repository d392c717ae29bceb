/**
 * The Slack adapter plugged into a bot core (real SQLite, real relay and decisions, an in-memory
 * bus) against the Slack stand-in. Agents' events go through the relay as signed wire messages.
 */

import { type SlackPluginOptions, slackPlugin } from '../../../adapters/slack/plugin.js';
import { loadSlackSettings } from '../../../adapters/slack/settings.js';
import { BotCore } from '../../../src/bot/bot-core.js';
import type { BotContext } from '../../../src/bot/plugin.js';
import { isoTime, systemClock, systemRandom } from '../../../src/clock.js';
import { type Config, loadConfig } from '../../../src/config/load.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { memoryAudit } from '../../../src/relay/audit.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { RecordedCall } from '../../fakes/slack/index.js';
import { SLACK, type SlackFake, startSlackFake } from '../../fakes/slack/index.js';
import type { SlackApiOptions } from '../../fakes/slack/web-api.js';
import { tempHome } from '../../helpers/cli.js';
import { agentEventWire, fakeRunners, memoryBus } from '../../unit/chat/harness.js';

export const SIGNING_SECRET = 'fake-signing-secret';
export const APPROVER = { id: 'U0APPROVER1', username: 'ann' };
export const STRANGER = { id: 'U0STRANGER1', username: 'mallory' };
export const ONCALL = { id: 'U0ONCALL01', username: 'otto' };

export interface SlackBot {
  slack: SlackFake;
  ctx: BotContext;
  /** The runner control in ctx (test/unit/chat/harness.ts fakeRunners): `report` plays a change report. */
  runners: ReturnType<typeof fakeRunners>;
  config: Config;
  /** http://127.0.0.1:PORT/slack/events in HTTP mode. */
  url: string | undefined;
  event(jobId: string, event: string, detail?: string, data?: Record<string, unknown>): void;
  /** Calls of `method` made after the test's mark. */
  calls(method: string): RecordedCall[];
  stop(): Promise<void>;
}

export async function startSlackBot(
  mode: 'socket' | 'http',
  env: Record<string, string> = {},
  fake: SlackApiOptions = {},
): Promise<SlackBot> {
  const slack = await startSlackFake({ usergroups: { S0ONCALL01: [ONCALL.id] }, ...fake });
  const t = tempHome('hermes-slack-');
  const fullEnv = {
    HERMES_HOME: t.home,
    HERMES_SLACK_MODE: mode,
    HERMES_SLACK_PORT: '0',
    HERMES_SLACK_API_URL: slack.api.url,
    HERMES_SLACK_ALLOWED_USERS: SLACK.user.id,
    HERMES_SLACK_APPROVERS: APPROVER.id,
    HERMES_SLACK_APPROVER_GROUPS: 'S0ONCALL01',
    SLACK_BOT_TOKEN: 'xoxb-fake-bot',
    ...(mode === 'socket' ? { SLACK_APP_TOKEN: 'xapp-fake-app' } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    ...env,
  };
  let config: Config;
  try {
    config = loadConfig({ env: fullEnv });
  } catch (e) {
    await slack.close();
    t.cleanup();
    throw e;
  }
  const db = openBotDb(config, silentLogger);
  const registry = new JobRegistry(db, systemClock, systemRandom);
  const bus = memoryBus();
  const core = new BotCore({
    config,
    registry,
    bus,
    clock: systemClock,
    log: silentLogger,
    audit: memoryAudit(),
  });
  const runners = fakeRunners(registry);
  const ctx: BotContext = {
    core,
    runners: runners.control,
    registry,
    db,
    bus,
    config,
    clock: systemClock,
    random: systemRandom,
    log: silentLogger,
  };
  let port: number | undefined;
  const pluginOptions: SlackPluginOptions = {
    clientOptions: { retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 10 } },
    tickMs: 50,
    onListening: (p) => {
      port = p;
    },
  };
  let stopPlugin: (() => Promise<void>) | undefined;
  try {
    stopPlugin = await slackPlugin(loadSlackSettings(config, fullEnv), pluginOptions)(ctx);
  } catch (e) {
    core.stop();
    db.close();
    await slack.close();
    t.cleanup();
    throw e;
  }
  const seqs = new Map<string, number>();
  return {
    slack,
    ctx,
    runners,
    config,
    url: port === undefined ? undefined : `http://127.0.0.1:${port}/slack/events`,
    event(jobId, event, detail, data = {}) {
      const seq = (seqs.get(jobId) ?? 0) + 1;
      seqs.set(jobId, seq);
      const wire = agentEventWire(registry, {
        jobId,
        seq,
        event,
        detail,
        data,
        timestamp: isoTime(Date.now()),
      });
      const out = core.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
      if (out.verdict !== 'accepted') throw new Error(`event refused: ${out.reason}`);
    },
    calls: (method) => slack.api.calls.filter((c) => c.method === method),
    async stop() {
      await stopPlugin?.();
      core.stop();
      db.close();
      await slack.close();
      t.cleanup();
    },
  };
}

/** Every mrkdwn / plain text string in a Block Kit payload. */
export function blockTexts(blocks: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(blocks);
  return out;
}

/** action_id -> value of every button in a Block Kit payload. */
export function buttonsOf(blocks: unknown): Array<{ action_id: string; value: string }> {
  const out: Array<{ action_id: string; value: string }> = [];
  for (const b of (blocks ?? []) as Array<{
    type: string;
    elements?: Array<{ type: string; action_id: string; value: string }>;
  }>) {
    if (b.type === 'actions')
      for (const e of b.elements ?? [])
        if (e.type === 'button') out.push({ action_id: e.action_id, value: e.value });
  }
  return out;
}
