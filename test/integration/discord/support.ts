/**
 * A whole Hermes bot (real SQLite, real broker, relay, decisions) with the Discord adapter plugged
 * in, its real discord.js Client talking to the Discord stand-in. People act through the
 * stand-in's interaction builders; agents either run the real `hermes publish` / `hermes ask`
 * against the broker, or their signed events are handed to the relay directly (faster).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DiscordPluginOptions, discordPlugin } from '../../../adapters/discord/plugin.js';
import { loadDiscordSettings } from '../../../adapters/discord/settings.js';
import { type RunningBot, startBot } from '../../../src/bot/run-bot.js';
import { isoTime, systemClock, systemRandom } from '../../../src/clock.js';
import { type Config, loadConfig } from '../../../src/config/load.js';
import type { Job } from '../../../src/jobs/job.js';
import type { CronPort } from '../../../src/schedules/cron-port.js';
import {
  DISCORD,
  type DiscordFake,
  type DiscordFakeOptions,
  type RecordedRequest,
  startDiscordFake,
} from '../../fakes/discord/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { HERMES_BIN, tempHome } from '../../helpers/cli.js';
import { captureLog } from '../../helpers/log-capture.js';
import { pairRunner } from '../../helpers/paired-runner.js';
import { waitFor } from '../../helpers/wait.js';
import { agentEventWire } from '../../unit/chat/harness.js';

export const TOKEN = 'fake-discord-bot-token';
export const OWNER = DISCORD.user;
export const APPROVER = { id: '1180000000000000310', username: 'ann' };
export const STRANGER = { id: '1180000000000000320', username: 'mallory' };
export const CHANNEL = DISCORD.channelId;

type Json = Record<string, unknown>;

/** An identify throttle the test can hold shut: the gateway stays down until it is opened. */
export class IdentifyGate {
  private open = true;
  private waiting: Array<() => void> = [];
  /** How many identifies asked to go ahead. */
  asked = 0;

  readonly build = async () => ({
    waitForIdentify: async () => {
      this.asked++;
      if (!this.open) await new Promise<void>((resolve) => this.waiting.push(resolve));
    },
  });

  close(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    for (const w of this.waiting.splice(0)) w();
  }
}

export interface WorldOptions {
  env?: Record<string, string>;
  /** config.yaml content. */
  yaml?: string;
  plugin?: DiscordPluginOptions;
  fake?: DiscordFakeOptions;
  /** The cron schedules run on (test/helpers/fake-cron.ts); node-cron unless told. */
  cron?: CronPort;
  /** Runners paired before the bot starts (id -> key), e.g. a real `hermes runner` process. */
  runners?: Record<string, string>;
}

export class DiscordWorld {
  bot!: RunningBot;
  readonly gate = new IdentifyGate();
  /** Everything the bot logged (info and up). */
  readonly logs = captureLog('info');
  private readonly seqs = new Map<string, number>();
  private mark = 0;

  private constructor(
    readonly fake: DiscordFake,
    readonly broker: TestBroker,
    readonly home: string,
    readonly config: Config,
    readonly env: Record<string, string>,
    private readonly opts: WorldOptions,
    private readonly cleanupHome: () => void,
  ) {}

  static async start(opts: WorldOptions = {}): Promise<DiscordWorld> {
    const fake = await startDiscordFake({ token: TOKEN, ...opts.fake });
    const broker = await startTestBroker();
    const t = tempHome('hermes-discord-');
    if (opts.yaml !== undefined) writeFileSync(join(t.home, 'config.yaml'), opts.yaml);
    const env = {
      HERMES_HOME: t.home,
      HERMES_MQTT_URL: broker.url,
      HERMES_LOG_LEVEL: 'silent',
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: DISCORD.applicationId,
      HERMES_DISCORD_API_URL: fake.apiUrl,
      HERMES_DISCORD_GUILD_ID: DISCORD.guildId,
      HERMES_DISCORD_ALLOWED_USERS: OWNER.id,
      HERMES_DISCORD_APPROVER_ROLES: DISCORD.approverRoleId,
      ...opts.env,
    };
    const config = loadConfig({ env });
    // Chat refuses jobs for unpaired runners; no runner process runs here, so jobs stay pending.
    pairRunner(config);
    for (const [id, key] of Object.entries(opts.runners ?? {})) pairRunner(config, id, key);
    const world = new DiscordWorld(fake, broker, t.home, config, env, opts, t.cleanup);
    try {
      await world.startBot();
    } catch (e) {
      await world.close();
      throw e;
    }
    return world;
  }

  async startBot(): Promise<RunningBot> {
    const plugin = discordPlugin(loadDiscordSettings(this.config, this.env), {
      clientOptions: { ws: { buildIdentifyThrottler: this.gate.build } },
      tickMs: 50,
      chatSettings: { retryAfterMs: 0, progressIntervalMs: 200 },
      ...this.opts.plugin,
    });
    this.bot = await startBot({
      config: this.config,
      log: this.logs.log,
      clock: systemClock,
      random: systemRandom,
      plugins: [plugin],
      tickMs: 100,
      ...(this.opts.cron ? { cron: this.opts.cron } : {}),
    });
    return this.bot;
  }

  async restartBot(): Promise<void> {
    await this.bot.stop();
    await this.startBot();
  }

  async close(): Promise<void> {
    await this.bot?.stop().catch(() => undefined);
    await this.fake.close();
    await this.broker.stop();
    this.cleanupHome();
  }

  /** REST calls from now on only (earlier ones are ignored by `since()`). */
  markCalls(): void {
    this.mark = this.fake.calls.length;
  }

  since(method: string, path: RegExp): RecordedRequest[] {
    return this.fake.calls.slice(this.mark).filter((c) => c.method === method && path.test(c.path));
  }

  /** `/hermes <sub>` (`group sub` for `/hermes schedule add`); resolves with the final private reply (the edit of the deferred reply). */
  async command(
    subcommand: string,
    options: Record<string, string | number | boolean> = {},
    user: { id: string; username: string } = OWNER,
    roles: string[] = [],
  ): Promise<{ interaction: Json; reply: string }> {
    const [first, second] = subcommand.split(' ');
    const names = second === undefined ? { subcommand: first! } : { group: first!, subcommand: second };
    const interaction = this.fake.sendInteraction(
      this.fake.interactions.slashCommand({ ...names, options, user, roles }),
    );
    const edit = await this.fake.waitForCall('PATCH', webhookOriginal(interaction), () => true, 10_000);
    return { interaction, reply: String((edit.body as Json).content) };
  }

  /** Registers a job through `/hermes register`; resolves with the job and its card / thread ids. */
  async register(prompt = 'tidy the README'): Promise<{ job: Job; cardId: string; threadId: string }> {
    const before = new Set(this.bot.registry.list().map((j) => j.id));
    const { reply } = await this.command('register', { profile: 'demo', prompt });
    const job = this.bot.registry.list().find((j) => !before.has(j.id));
    if (!job) throw new Error(`registration failed: ${reply}`);
    const thread = await this.fake.waitForCall('POST', /^\/channels\/\d+\/messages\/\d+\/threads$/);
    const threadId = String((thread.response as Json).id);
    return { job, cardId: threadId, threadId };
  }

  /** Messages the bot posted in a channel or thread, oldest first (as stored now, edits applied). */
  messagesIn(channelId: string): Json[] {
    return [...this.fake.state.messages.values()].filter(
      (m) => m.channel_id === channelId && (m.author as Json | undefined)?.bot === true && !m.webhook_id,
    );
  }

  async waitForMessage(channelId: string, pred: (m: Json) => boolean, what: string): Promise<Json> {
    let found: Json | undefined;
    await waitFor(
      () => {
        found = this.messagesIn(channelId).find(pred);
        return found !== undefined;
      },
      { timeoutMs: 10_000, message: what },
    );
    return found!;
  }

  /** Clicks a button of a stored message as `user`. */
  click(
    messageId: string,
    customId: string,
    user: { id: string; username: string },
    roles: string[] = [],
  ): Json {
    return this.fake.sendInteraction(
      this.fake.interactions.button({ customId, message: messageId, user, roles }),
    );
  }

  /** Private follow-ups sent for an interaction (ephemeral messages through its webhook). */
  async privateReply(interaction: Json): Promise<RecordedRequest> {
    return this.fake.waitForCall('POST', webhookOf(interaction), () => true, 10_000);
  }

  /** A signed agent event handed to the relay as if it came from the broker. */
  event(jobId: string, event: string, detail?: string, data: Record<string, unknown> = {}): void {
    const seq = (this.seqs.get(jobId) ?? 0) + 1;
    this.seqs.set(jobId, seq);
    const wire = agentEventWire(this.bot.registry, {
      jobId,
      seq,
      event,
      detail,
      data,
      timestamp: isoTime(Date.now()),
    });
    const out = this.bot.core.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
    if (out.verdict !== 'accepted') throw new Error(`event refused: ${out.reason}`);
  }

  /** The environment of an agent process of `job` (token in a 0600 file). */
  agentEnv(job: Job): Record<string, string> {
    const token = this.bot.registry.tokenOf(job.id);
    if (token === null) throw new Error(`${job.id} has no token`);
    const file = join(this.home, `token-${job.id}`);
    writeFileSync(file, token, { mode: 0o600 });
    return {
      HERMES_HOME: join(this.home, 'agent'),
      HERMES_JOB_ID: job.id,
      HERMES_MQTT_URL: this.broker.url,
      HERMES_TOKEN_FILE: file,
    };
  }
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const webhookOf = (i: Json) => new RegExp(`^/webhooks/\\d+/${reEscape(String(i.token))}$`);
export const webhookOriginal = (i: Json) =>
  new RegExp(`^/webhooks/\\d+/${reEscape(String(i.token))}/messages/@original$`);
export const callbackOf = (i: Json) => new RegExp(`^/interactions/${String(i.id)}/[^/]+/callback$`);

/** The custom_ids of a stored message's buttons, by label. */
export function buttonsOf(m: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of (m.components as Json[] | undefined) ?? []) {
    for (const b of (row.components as Json[] | undefined) ?? []) out[String(b.label)] = String(b.custom_id);
  }
  return out;
}

/** Runs a real `hermes` agent command (publish, ask) as a child process. */
export function spawnAgent(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [HERMES_BIN, ...args], {
    env: { PATH: process.env.PATH, HERMES_LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
  return { child, done };
}
