/**
 * The runner daemon under test, as deployed: real Mosquitto, the bot in
 * process (test/helpers/bot-harness.ts) on its own $HERMES_HOME, `hermes
 * runner` as a real child process on another $HERMES_HOME, paired with
 * `hermes runner init` and `hermes runners add` (nothing but MQTT joins them),
 * tmux on a private socket.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openSessionStore } from '../../../runner/session-store.js';
import { Tmux } from '../../../runner/tmux.js';
import { nodeExec, tmuxClientEnv } from '../../../runner/tmux-exec.js';
import type { BotPlugin } from '../../../src/bot/plugin.js';
import type { Job } from '../../../src/jobs/job.js';
import { eventsOf, permissionRequestsOf, type StoredEvent } from '../../../src/jobs/queries.js';
import { silentLogger } from '../../../src/log.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { type HermesProcess, startHermes } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

export interface DaemonWorld {
  broker: MosquittoBroker;
  bot: BotHarness;
  botHome: string;
  runnerHome: string;
  runnerId: string;
  runnerKey: string;
  socket: string;
  /** tmux on the runner's socket, as a person at the terminal would use it. */
  tmux: Tmux;
  runner: HermesProcess | undefined;
  runnerEnv: Record<string, string | undefined>;
  startRunner(extraArgs?: string[]): Promise<HermesProcess>;
  stopRunner(): Promise<void>;
  register(profile: string, prompt: string, opts?: { cwd?: string; noAuth?: boolean }): Job;
  status(jobId: string): string;
  events(jobId: string): StoredEvent[];
  waitForStatus(jobId: string, status: string | string[], timeoutMs?: number): Promise<void>;
  waitForEvent(jobId: string, event: string, timeoutMs?: number): Promise<StoredEvent>;
  /** The request id of the job's pending permission request, once there is one. */
  pendingRequest(jobId: string, timeoutMs?: number): Promise<string>;
  decide(jobId: string, requestId: string, decision: 'approve' | 'deny'): Promise<void>;
  /** The runner's session row for the job (read from runner.db). */
  session(jobId: string): { status: string; note: string | null; name: string } | undefined;
  waitForSession(jobId: string, status: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  profiles?: Record<string, unknown>;
  linger?: number;
  /** Extra environment of the in-process bot's config. */
  botEnv?: Record<string, string>;
  /** The bot's config.yaml (e.g. `approvals`), written before the bot loads its config. */
  botConfig?: Record<string, unknown>;
  /** Attached to the in-process bot (a console chat). */
  botPlugins?: BotPlugin[];
  /** More keys of the runner's `runner:` config (e.g. `hardline_add`). */
  runnerConfig?: Record<string, unknown>;
}

export async function startWorld(opts: WorldOptions = {}): Promise<DaemonWorld> {
  const broker = await startMosquitto();
  const b = tempHome('hermes-daemon-bot-');
  const r = tempHome('hermes-daemon-runner-');
  const socket = `hermes-test-${randomBytes(5).toString('hex')}`;
  const runnerId = `r-${randomBytes(3).toString('hex')}`;
  const tmux = new Tmux({ socket, exec: nodeExec({ env: tmuxClientEnv(process.env) }) });
  if (opts.botConfig) writeFileSync(join(b.home, 'config.yaml'), stringify(opts.botConfig));
  const bot = botHarness(b.home, broker.url, opts.botEnv, undefined, opts.botPlugins);

  const runnerEnv: Record<string, string | undefined> = {
    HERMES_HOME: r.home,
    HERMES_MQTT_URL: broker.url,
    HERMES_TMUX_SOCKET: socket,
    HERMES_DEMO_STEP_MS: '20',
    HERMES_LOG_LEVEL: 'info',
    HOME: r.home,
  };
  const workdir = join(r.home, 'work');
  mkdirSync(workdir);
  writeFileSync(
    join(r.home, 'config.yaml'),
    stringify({ runner: { workdir, profiles: opts.profiles ?? {}, ...opts.runnerConfig } }),
  );

  const init = await runHermes(['runner', 'init', '--id', runnerId, '--json'], {
    env: { HERMES_HOME: r.home },
  });
  if (init.code !== 0) throw new Error(`runner init failed: ${init.stderr}`);
  const { key } = JSON.parse(init.stdout) as { key: string };
  const add = await runHermes(['runners', 'add', runnerId, '--key', key], { env: { HERMES_HOME: b.home } });
  if (add.code !== 0) throw new Error(`runners add failed: ${add.stderr}`);
  await bot.start();

  const w: DaemonWorld = {
    broker,
    bot,
    botHome: b.home,
    runnerHome: r.home,
    runnerId,
    runnerKey: key,
    socket,
    tmux,
    runner: undefined,
    runnerEnv,
    async startRunner(extraArgs = []) {
      const p = startHermes(
        [
          'runner',
          '--id',
          runnerId,
          '--linger',
          String(opts.linger ?? 0),
          '--schedule',
          '* * * * * *',
          ...extraArgs,
        ],
        runnerEnv,
      );
      w.runner = p;
      await p.waitForOutput('"runner online"');
      await waitFor(() => bot.bot!.runners.list().some((x) => x.id === runnerId && x.state === 'online'), {
        timeoutMs: 10_000,
        message: `the bot to see runner ${runnerId} online`,
      });
      return p;
    },
    async stopRunner() {
      await w.runner?.stop('SIGTERM');
      w.runner = undefined;
    },
    register(profile, prompt, o = {}) {
      const job = bot.bot!.registry.register({
        profile,
        prompt,
        runner: runnerId,
        owner: 'test',
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.noAuth ? { auth: { kind: 'none' as const } } : {}),
      });
      bot.bot!.runners.kick();
      return job;
    },
    status: (jobId) => bot.bot!.registry.require(jobId).status,
    events: (jobId) => eventsOf(bot.bot!.db, jobId),
    async waitForStatus(jobId, status, timeoutMs = 20_000) {
      const want = Array.isArray(status) ? status : [status];
      await waitFor(() => want.includes(w.status(jobId)), {
        timeoutMs,
        intervalMs: 25,
        message: `job ${jobId} to be ${want.join(' or ')} (it is ${w.status(jobId)}; events: ${w
          .events(jobId)
          .map((e) => `${e.event}: ${e.detail}`)
          .join(' | ')}; runner output: ${w.runner?.output().slice(-1500) ?? '(no runner)'})`,
      });
    },
    async waitForEvent(jobId, event, timeoutMs = 20_000) {
      let found: StoredEvent | undefined;
      await waitFor(
        () => {
          found = w.events(jobId).find((e) => e.event === event);
          return found !== undefined;
        },
        { timeoutMs, intervalMs: 25, message: `a ${event} event for job ${jobId}` },
      );
      return found!;
    },
    async pendingRequest(jobId, timeoutMs = 20_000) {
      let id: string | undefined;
      await waitFor(
        () => {
          id = permissionRequestsOf(bot.bot!.db, jobId, 'pending')[0]?.request_id;
          return id !== undefined;
        },
        { timeoutMs, intervalMs: 25, message: `a pending permission request of job ${jobId}` },
      );
      return id!;
    },
    async decide(jobId, requestId, decision) {
      const res = await runHermes(['jobs', 'decide', jobId, requestId, decision, '--by', 'test:alice'], {
        env: { HERMES_HOME: b.home, HERMES_MQTT_URL: broker.url },
      });
      if (res.code !== 0) throw new Error(`jobs decide failed: ${res.stderr}`);
    },
    session(jobId) {
      const store = openSessionStore({ home: r.home, log: silentLogger });
      try {
        const s = store.getByJob(jobId);
        return s && { status: s.status, note: s.note, name: s.name };
      } finally {
        store.close();
      }
    },
    async waitForSession(jobId, status, timeoutMs = 20_000) {
      await waitFor(() => w.session(jobId)?.status === status, {
        timeoutMs,
        intervalMs: 50,
        message: `the runner's session of job ${jobId} to be ${status} (it is ${w.session(jobId)?.status ?? 'absent'})`,
      });
    },
    async close() {
      await w.stopRunner().catch(() => undefined);
      await bot.stop().catch(() => undefined);
      await tmux.killServer().catch(() => undefined);
      await broker.stop();
      b.cleanup();
      r.cleanup();
    },
  };
  return w;
}
