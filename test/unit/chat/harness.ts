/**
 * The chat core on a real bot database and a real BotCore (relay, decisions, standing approvals),
 * with an in-memory bus and the in-memory chat port. Agents' events are signed and fed through the
 * relay exactly as they arrive from the broker.
 */
import { BotCore } from '../../../src/bot/bot-core.js';
import type { BotContext } from '../../../src/bot/plugin.js';
import type { ChangeReport, RunnerControl, RunnerInfo } from '../../../src/bot/runner-control.js';
import { type AccessPolicy, emptyPolicy } from '../../../src/chat/access.js';
import { ChatCore } from '../../../src/chat/chat-core.js';
import type { ChatSettings } from '../../../src/chat/deps.js';
import { MemoryChatPort, type MemoryPeople } from '../../../src/chat/memory-port.js';
import { type Clock, isoTime, systemClock, systemRandom } from '../../../src/clock.js';
import { type Config, loadConfig } from '../../../src/config/load.js';
import type { Job } from '../../../src/jobs/job.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { type AuditRecord, memoryAudit } from '../../../src/relay/audit.js';
import type { CronPort } from '../../../src/schedules/cron-port.js';
import { ScheduleService } from '../../../src/schedules/schedule-service.js';
import { ScheduleStore } from '../../../src/schedules/schedule-store.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

export const CHANNEL = 'C1';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const APPROVER = 'U0APPROVER';
export const MALLORY = 'U0MALLORY';

/** Publishes are recorded; nothing is subscribed. */
export function memoryBus(): MqttBus & {
  published: Array<{ topic: string; payload: string; retain: boolean }>;
} {
  const published: Array<{ topic: string; payload: string; retain: boolean }> = [];
  return {
    published,
    connected: true,
    async publish(topic, payload, opts) {
      published.push({ topic, payload: payload.toString(), retain: opts.retain ?? false });
    },
    async subscribe() {},
    onMessage: () => () => undefined,
    onConnectionChange: () => () => undefined,
    async close() {},
  };
}

/** Paired with every harness unless a test says otherwise: chat refuses jobs for unpaired runners. */
export const LOCAL_RUNNER: RunnerInfo = { id: 'local', state: 'online', profiles: [], lastSeen: null };

/** The patch the fake runner's `diff` answers with. */
export const PATCH =
  'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1,2 @@\n-old\n+new\n+more\n';

export function fakeRunners(registry: JobRegistry, runners: RunnerInfo[] = [LOCAL_RUNNER]) {
  const calls = {
    kick: 0,
    cancel: [] as string[],
    peek: [] as Array<[string, number]>,
    diff: [] as string[],
  };
  let pane = 'line 1\nline 2 <!channel>';
  const reportListeners = new Set<(r: ChangeReport) => void>();
  const control: RunnerControl = {
    list: () => runners,
    async cancel(jobId, by) {
      calls.cancel.push(`${jobId} ${by}`);
      registry.cancel(jobId, `cancelled by ${by}`);
    },
    async peek(jobId, lines) {
      calls.peek.push([jobId, lines]);
      return pane;
    },
    async diff(jobId) {
      calls.diff.push(jobId);
      return {
        text: 'src/a.ts  +2  -1\n\n1 file changed, +2 -1; 1 commit on hermes/x (from main)',
        patch: PATCH,
        patchBytes: Buffer.byteLength(PATCH),
      };
    },
    onChangeReport(l) {
      reportListeners.add(l);
      return () => reportListeners.delete(l);
    },
    kick: () => {
      calls.kick++;
    },
  };
  return {
    control,
    calls,
    setPane: (p: string) => (pane = p),
    /** A runner's change report at a job's end, as the dispatcher hands it over. */
    report: (r: ChangeReport) => {
      for (const l of reportListeners) l(r);
    },
  };
}

/** An agent's event as it arrives on the wire: signed with the job's token (unsigned for --no-auth jobs). */
export function agentEventWire(
  registry: JobRegistry,
  e: {
    jobId: string;
    seq: number;
    event: string;
    detail?: string | undefined;
    data?: Record<string, unknown>;
    timestamp: string;
  },
): string {
  const env = fromPlain({
    schema_version: 1,
    job_id: e.jobId,
    seq: e.seq,
    event: e.event,
    timestamp: e.timestamp,
    ...(e.detail === undefined ? {} : { detail: e.detail }),
    data: e.data ?? {},
  }) as JsonObject;
  const token = registry.tokenOf(e.jobId);
  return encodeWire(token ? signEnvelope(env, token) : env);
}

export interface HarnessOptions {
  policy?: Partial<AccessPolicy>;
  settings?: Partial<ChatSettings>;
  runners?: RunnerInfo[];
  clock?: Clock;
  channelIntervalMs?: number;
  /** Reuse a home (restart tests). */
  home?: string;
  /** Schedules served by the core, on a cron that fires when the test says (test/helpers/fake-cron.ts). */
  cron?: CronPort;
}

export const defaultPolicy: AccessPolicy = {
  ...emptyPolicy,
  registerUsers: [ALICE, BOB],
  approvers: [APPROVER],
};

export class ChatHarness {
  readonly db: Db;
  readonly config: Config;
  readonly registry: JobRegistry;
  readonly bus = memoryBus();
  readonly relayAudit = memoryAudit();
  readonly audit = memoryAudit();
  readonly bot: BotCore;
  readonly port: MemoryChatPort;
  chat: ChatCore;
  people: MemoryPeople;
  readonly runners: ReturnType<typeof fakeRunners>;
  /** With opts.cron: the bot's schedule service on this database. */
  readonly schedules: ScheduleService | undefined;
  private readonly seqs = new Map<string, number>();
  private readonly cleanupHome: () => void;

  constructor(
    readonly opts: HarnessOptions = {},
    readonly clock: Clock = opts.clock ?? systemClock,
  ) {
    const t = opts.home ? { home: opts.home, cleanup: () => undefined } : tempHome('hermes-chat-');
    this.cleanupHome = t.cleanup;
    this.config = loadConfig({ env: { HERMES_HOME: t.home } });
    this.db = openBotDb(this.config, silentLogger);
    this.registry = new JobRegistry(this.db, clock, systemRandom);
    this.bot = new BotCore({
      config: this.config,
      registry: this.registry,
      bus: this.bus,
      clock,
      log: silentLogger,
      audit: this.relayAudit,
    });
    this.runners = fakeRunners(this.registry, opts.runners);
    this.schedules = opts.cron
      ? new ScheduleService({
          store: new ScheduleStore(this.db, clock, systemRandom),
          registry: this.registry,
          cron: opts.cron,
          clock,
          log: silentLogger,
          timeZone: 'UTC',
          catchUpSeconds: 3600,
          kick: () => this.runners.control.kick(),
        })
      : undefined;
    this.port = new MemoryChatPort('slack', opts.channelIntervalMs ?? 0, () => clock.now());
    this.chat = this.newChat();
    this.people = this.port.people(this.chat, CHANNEL);
  }

  get home(): string {
    return this.config.home;
  }

  newChat(): ChatCore {
    const chat = new ChatCore({
      port: this.port,
      policy: { ...defaultPolicy, ...this.opts.policy },
      registry: this.registry,
      events: this.bot.relay,
      decisions: this.bot.decisions,
      runners: this.runners.control,
      audit: this.audit,
      clock: this.clock,
      log: silentLogger,
      schedules: this.schedules,
      settings: { progressIntervalMs: 5000, reminderMs: 300_000, ...this.opts.settings },
    });
    chat.start();
    return chat;
  }

  /** Replaces the chat core (a bot restart's chat half), on the same database and port. */
  restartChat(): void {
    this.chat.stop();
    this.chat = this.newChat();
    this.people = this.port.people(this.chat, CHANNEL);
  }

  /** Lets relay listeners, queued deliveries and decision edits run to the end. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      await this.chat.idle();
    }
  }

  /** Registers through chat as `user`; returns the job. */
  async register(user = ALICE, text = 'register demo tidy the README'): Promise<Job> {
    const before = new Set(this.registry.list().map((j) => j.id));
    const replies = await this.people.command(user, text);
    const job = this.registry.list().find((j) => !before.has(j.id));
    if (!job) throw new Error(`registration failed: ${replies.map((r) => r.summary).join(' | ')}`);
    await this.settle();
    return this.registry.require(job.id);
  }

  /** Signs and relays one agent event for the job; returns its seq. */
  async event(
    jobId: string,
    event: string,
    detail?: string,
    data: Record<string, unknown> = {},
    timestamp?: string,
  ): Promise<number> {
    const seq = (this.seqs.get(jobId) ?? 0) + 1;
    this.seqs.set(jobId, seq);
    const wire = agentEventWire(this.registry, {
      jobId,
      seq,
      event,
      detail,
      data,
      timestamp: timestamp ?? isoTime(this.clock.now()),
    });
    const out = this.bot.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
    if (out.verdict !== 'accepted') throw new Error(`event refused: ${out.reason} ${out.detail}`);
    await this.settle();
    return seq;
  }

  async permission(
    jobId: string,
    requestId: string,
    tool = 'Bash',
    input: unknown = { command: 'npm test' },
    detail?: string,
    expiresAt?: string,
  ) {
    return this.event(jobId, 'permission_required', detail, {
      request_id: requestId,
      tool,
      input,
      ...(expiresAt ? { expires_at: expiresAt } : {}),
    });
  }

  chatAudit(): AuditRecord[] {
    return this.audit.records;
  }

  close(): void {
    this.schedules?.stop();
    this.chat.stop();
    this.bot.stop();
    this.db.close();
    this.cleanupHome();
  }
}

/** A BotContext for plugins (chat adapters) on a temp home: real SQLite, relay and decisions, in-memory bus. */
export function memoryBotContext(env: Record<string, string> = {}, clock: Clock = systemClock) {
  const t = tempHome('hermes-ctx-');
  const config = loadConfig({ env: { HERMES_HOME: t.home, ...env } });
  const db = openBotDb(config, silentLogger);
  const registry = new JobRegistry(db, clock, systemRandom);
  const bus = memoryBus();
  const core = new BotCore({ config, registry, bus, clock, log: silentLogger, audit: memoryAudit() });
  const runners = fakeRunners(registry);
  const ctx: BotContext = {
    core,
    runners: runners.control,
    registry,
    db,
    bus,
    config,
    clock,
    random: systemRandom,
    log: silentLogger,
  };
  const seqs = new Map<string, number>();
  return {
    ctx,
    runners,
    /** Signs and relays one agent event; throws if the relay refuses it. */
    event(jobId: string, event: string, detail?: string, data: Record<string, unknown> = {}): number {
      const seq = (seqs.get(jobId) ?? 0) + 1;
      seqs.set(jobId, seq);
      const wire = agentEventWire(registry, {
        jobId,
        seq,
        event,
        detail,
        data,
        timestamp: isoTime(clock.now()),
      });
      const out = core.relay.handle(`hermes/jobs/${jobId}/events`, Buffer.from(wire));
      if (out.verdict !== 'accepted') throw new Error(`event refused: ${out.reason} ${out.detail}`);
      return seq;
    },
    close(): void {
      core.stop();
      db.close();
      t.cleanup();
    },
  };
}
