/**
 * Hermes as deployed, every part its own process: a real Mosquitto, `hermes bot` (Slack adapter on
 * the Slack stand-in, which runs in the test process) and `hermes runner` on separate
 * $HERMES_HOMEs, paired through the CLI (`hermes runner init`, `hermes runners add --key-file`),
 * agents in tmux on a private socket. Nothing but MQTT joins bot and runner. Used by the
 * end-to-end and reliability suites, which kill, restart and inspect each part.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { relaySocketPath } from '../../runner/daemon/runner-setup.js';
import { tokenFilePath } from '../../runner/job-files.js';
import { sessionNameFor } from '../../runner/session-names.js';
import { SLACK, type SlackFake, startSlackFake } from '../fakes/slack/index.js';
import { spawnHermes, tempHome } from './cli.js';
import { botEvents, botJob, runnerSession } from './hermes-state.js';
import { type MosquittoBroker, type MosquittoOptions, startMosquitto } from './mosquitto.js';
import { type NatsBroker, startNats } from './nats.js';
import { type HermesProcess, startHermes } from './processes.js';
import { startRabbitMq } from './rabbitmq.js';

export interface WorldOptions {
  /**
   * Runner profiles for `config.yaml` (the built-in `demo` is always there); a function gets the
   * runner's home, where it may write the agents' scripts.
   */
  profiles?: Record<string, unknown> | ((runnerHome: string) => Record<string, unknown>);
  /** HERMES_DEMO_STEP_MS for the demo agent (default 20). */
  demoStepMs?: number;
  /** `--linger` of the runner (default 0: a finished job's session goes at the next pass). */
  lingerSeconds?: number;
  mosquitto?: MosquittoOptions;
  /** The broker the processes talk to (default Mosquitto): the broker matrix runs the journey on each. */
  brokerKind?: 'mosquitto' | 'nats' | 'rabbitmq';
  /** HERMES_MQTT_URL of bot and runner from the broker's URL (e.g. a list with a dead endpoint first). */
  mqttUrl?: (brokerUrl: string) => string;
  /** Extra environment of the bot / runner processes. */
  botEnv?: Record<string, string>;
  runnerEnv?: Record<string, string>;
  /** More keys of the runner's `runner:` config (repos, worktrees_dir), given the runner's home. */
  runnerConfig?: (runnerHome: string) => Record<string, unknown>;
}

export interface HermesWorld {
  broker: MosquittoBroker;
  slack: SlackFake;
  botHome: string;
  runnerHome: string;
  runnerId: string;
  /** The runner's private tmux socket (`tmux -L`). */
  tmuxSocket: string;
  bot: HermesProcess | undefined;
  runner: HermesProcess | undefined;
  /** Every bot / runner process started so far, oldest first (their output stays readable). */
  history: { bots: HermesProcess[]; runners: HermesProcess[] };
  /** Starts `hermes bot` without waiting for anything. */
  spawnBot(): HermesProcess;
  /** Starts `hermes bot`; resolves once it is subscribed and its Slack socket is connected. */
  startBot(): Promise<HermesProcess>;
  /** Starts `hermes runner`; resolves once it announced itself online. */
  startRunner(extraArgs?: string[]): Promise<HermesProcess>;
  /** SIGKILL (a crash: no offline status, no lease release, nothing flushed) and wait for the exit. */
  killBot(): Promise<void>;
  killRunner(): Promise<void>;
  /** The agent's environment of a job the runner started (relay socket, token file, seq counters). */
  agentEnv(jobId: string): Record<string, string>;
  /** Whether the job's tmux session exists on the runner's socket. */
  hasTmuxSession(jobId: string): boolean;
  /** Kills the job's tmux session by hand (its agent dies with it), as a person at the host might. */
  killTmuxSession(jobId: string): void;
  /** The job as bot and runner see it, and the tails of their logs: for a failing test's message. */
  diagnose(jobId: string): string;
  /** A `.catch` for a wait: rethrows with diagnose(jobId) appended. */
  explain(jobId: string): (e: unknown) => never;
  close(): Promise<void>;
}

/** A NATS server or RabbitMQ node behind the Mosquitto handle: crash and restart are Mosquitto-only here. */
function otherBroker(n: Pick<NatsBroker, 'url' | 'port' | 'stop'>): MosquittoBroker {
  const unsupported = () =>
    Promise.reject(new Error('kill/halt/start are offered for Mosquitto worlds only'));
  return {
    url: n.url,
    port: n.port,
    dir: '',
    stop: () => n.stop(),
    kill: unsupported,
    halt: unsupported,
    start: unsupported,
    restart: unsupported,
  };
}

/** Generous: the suites run on two busy cores next to other engineers' tests. */
export const START_TIMEOUT_MS = 60_000;

/** Pairing exactly as an operator does it, the key moving through a 0600 file (never argv). */
async function pair(botHome: string, runnerHome: string, runnerId: string): Promise<void> {
  const init = await spawnHermes(['runner', 'init', '--id', runnerId, '--json'], {
    env: { HERMES_HOME: runnerHome },
    timeoutMs: START_TIMEOUT_MS,
  });
  if (init.code !== 0) throw new Error(`hermes runner init failed: ${init.stderr}`);
  const keyFile = join(botHome, 'runner.key');
  writeFileSync(keyFile, (JSON.parse(init.stdout) as { key: string }).key, { mode: 0o600 });
  const add = await spawnHermes(['runners', 'add', runnerId, '--key-file', keyFile], {
    env: { HERMES_HOME: botHome },
    timeoutMs: START_TIMEOUT_MS,
  });
  if (add.code !== 0) throw new Error(`hermes runners add failed: ${add.stderr}`);
}

export async function startWorld(opts: WorldOptions = {}): Promise<HermesWorld> {
  const broker =
    opts.brokerKind === 'nats'
      ? otherBroker(await startNats())
      : opts.brokerKind === 'rabbitmq'
        ? otherBroker(await startRabbitMq())
        : await startMosquitto(opts.mosquitto);
  const slack = await startSlackFake();
  const b = tempHome('hermes-world-bot-');
  const r = tempHome('hermes-world-runner-');
  const runnerId = `r-${randomBytes(3).toString('hex')}`;
  const tmuxSocket = `hermes-world-${randomBytes(5).toString('hex')}`;

  const botEnv: Record<string, string> = {
    HERMES_HOME: b.home,
    HERMES_MQTT_URL: opts.mqttUrl?.(broker.url) ?? broker.url,
    HERMES_LOG_LEVEL: 'info',
    HERMES_SLACK_API_URL: slack.api.url,
    HERMES_SLACK_ALLOWED_CHANNELS: SLACK.channelId,
    HERMES_SLACK_APPROVERS: SLACK.user.id,
    // Jobs registered with the CLI are shown here too.
    HERMES_SLACK_DEFAULT_CHANNEL: SLACK.channelId,
    SLACK_BOT_TOKEN: 'xoxb-fake-bot',
    SLACK_APP_TOKEN: 'xapp-fake-app',
    ...opts.botEnv,
  };
  const workdir = join(r.home, 'work');
  mkdirSync(workdir);
  writeFileSync(
    join(r.home, 'config.yaml'),
    stringify({
      runner: {
        workdir,
        profiles: typeof opts.profiles === 'function' ? opts.profiles(r.home) : (opts.profiles ?? {}),
        ...opts.runnerConfig?.(r.home),
      },
    }),
  );
  const runnerEnv: Record<string, string> = {
    HERMES_HOME: r.home,
    HOME: r.home,
    HERMES_MQTT_URL: opts.mqttUrl?.(broker.url) ?? broker.url,
    HERMES_TMUX_SOCKET: tmuxSocket,
    HERMES_DEMO_STEP_MS: String(opts.demoStepMs ?? 20),
    HERMES_RECONCILE_SCHEDULE: '* * * * * *',
    // debug: every reconcile pass is logged, so tests can wait for passes instead of sleeping.
    HERMES_LOG_LEVEL: 'debug',
    ...opts.runnerEnv,
  };

  try {
    await pair(b.home, r.home, runnerId);
  } catch (e) {
    await Promise.all([slack.close(), broker.stop()]);
    b.cleanup();
    r.cleanup();
    throw e;
  }

  const stopped = async (p: HermesProcess | undefined) => {
    await p?.stop('SIGKILL');
  };
  const w: HermesWorld = {
    broker,
    slack,
    botHome: b.home,
    runnerHome: r.home,
    runnerId,
    tmuxSocket,
    bot: undefined,
    runner: undefined,
    history: { bots: [], runners: [] },
    spawnBot() {
      const p = startHermes(['bot'], botEnv);
      w.bot = p;
      w.history.bots.push(p);
      return p;
    },
    async startBot() {
      const connections = slack.socket.connectionCount;
      const p = w.spawnBot();
      await p.waitForOutput('"Slack adapter running"', START_TIMEOUT_MS);
      await p.waitForOutput('"bot running"', START_TIMEOUT_MS);
      await slack.socket.waitForConnections(connections + 1, START_TIMEOUT_MS);
      return p;
    },
    async startRunner(extraArgs = []) {
      const args = ['runner', '--id', runnerId, '--linger', String(opts.lingerSeconds ?? 0), ...extraArgs];
      const p = startHermes(args, runnerEnv);
      w.runner = p;
      w.history.runners.push(p);
      await p.waitForOutput('"runner online"', START_TIMEOUT_MS);
      return p;
    },
    async killBot() {
      await stopped(w.bot);
      w.bot = undefined;
    },
    async killRunner() {
      await stopped(w.runner);
      w.runner = undefined;
    },
    agentEnv: (jobId) => ({
      HERMES_HOME: r.home,
      HERMES_JOB_ID: jobId,
      HERMES_MQTT_URL: broker.url,
      HERMES_TOKEN_FILE: tokenFilePath(r.home, jobId),
      HERMES_RUNNER_SOCKET: relaySocketPath(r.home),
    }),
    hasTmuxSession(jobId) {
      try {
        execFileSync('tmux', ['-L', tmuxSocket, 'has-session', '-t', `=${sessionNameFor(jobId)}`], {
          stdio: 'ignore',
        });
        return true;
      } catch {
        return false;
      }
    },
    killTmuxSession(jobId) {
      execFileSync('tmux', ['-L', tmuxSocket, 'kill-session', '-t', `=${sessionNameFor(jobId)}`], {
        stdio: 'ignore',
      });
    },
    diagnose(jobId) {
      const tail = (p: HermesProcess | undefined) => p?.output().slice(-3000) ?? '(not running)';
      return [
        `job: ${JSON.stringify(botJob(b.home, jobId))}`,
        `events: ${botEvents(b.home, jobId)
          .map((e) => `${e.seq} ${e.event} ${e.detail ?? ''}`)
          .join(' | ')}`,
        `runner session: ${JSON.stringify(runnerSession(r.home, jobId))}`,
        `tmux session: ${w.hasTmuxSession(jobId)}`,
        `runner log:\n${tail(w.runner)}`,
        `bot log:\n${tail(w.bot)}`,
      ].join('\n');
    },
    explain(jobId) {
      return (e) => {
        throw new Error(`${(e as Error).message}\n${w.diagnose(jobId)}`, { cause: e });
      };
    },
    async close() {
      await stopped(w.runner);
      await stopped(w.bot);
      try {
        execFileSync('tmux', ['-L', tmuxSocket, 'kill-server'], { stdio: 'ignore' });
      } catch {
        // no tmux server left on the socket
      }
      await slack.close();
      await broker.stop();
      b.cleanup();
      r.cleanup();
    },
  };
  return w;
}
