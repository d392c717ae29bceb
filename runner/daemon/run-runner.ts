/**
 * Wiring of the `hermes runner` process: identity, runner.db (one daemon per
 * home, by lease), tmux, profiles, the persistent broker session with its
 * last will, commands from the bot, the events of its jobs, the local relay
 * for agents, and reconcile at start and on the schedule. Returns a handle
 * whose stop() undoes it all; tmux sessions are left running (the next start
 * re-adopts them).
 */
import { dirname, join } from 'node:path';
import type { Clock, Random } from '../../src/clock.js';
import type { Config, Env } from '../../src/config/load.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { connectBus, type MqttBus } from '../../src/mqtt/bus.js';
import { buildClientOptions, persistentClientId, resolveBrokerUrl } from '../../src/mqtt/options.js';
import { topics } from '../../src/protocol/topics.js';
import { acquireLease } from '../../src/store/lease.js';
import { builtinProfiles } from '../profiles/builtin-profiles.js';
import { defaultHookInstallers, type HookInstallers } from '../profiles/hook-installers.js';
import { ProfileSet } from '../profiles/profile-set.js';
import { type ReconcileReport, reconcileHolderId, reconcilePass } from '../reconcile.js';
import { ReconcileScheduler } from '../reconcile-scheduler.js';
import type { LocalRelay } from '../relay/relay-types.js';
import { openSessionStore, type SessionStore } from '../session-store.js';
import { type Exec, Tmux } from '../tmux.js';
import { nodeExec, tmuxClientEnv } from '../tmux-exec.js';
import { mirrorPath, YamlMirror } from '../yaml-mirror.js';
import { CommandRouter } from './command-router.js';
import { DaemonState } from './daemon-state.js';
import { fitOutput } from './fit-output.js';
import { readRunnerIdentity } from './identity.js';
import { findInstallPaths, type InstallPaths, writeHermesShim } from './install-paths.js';
import { JobCleanup } from './job-cleanup.js';
import { JobEventPublisher } from './job-events.js';
import { JobTokens } from './job-tokens.js';
import { JobWatch } from './job-watch.js';
import { PassLock } from './pass-lock.js';
import { Presence } from './presence.js';
import { type RunnerSigner, resultMessage } from './runner-messages.js';
import { checkRunnerId, relaySocketPath, startRelay } from './runner-setup.js';
import { cancelJob, peekJob, type SessionCommandDeps } from './session-commands.js';
import { sessionEnv } from './session-env.js';
import { startJob } from './start-job.js';

export interface StartRunnerOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  random: Random;
  /** The process environment (HOME and PATH are read from it). */
  env: Env;
  /** `--id`: must match the identity in $HERMES_HOME. */
  runnerId?: string;
  /** `--mqtt`: overrides mqtt.url. */
  brokerUrl?: string;
  /** `--linger`: overrides runner.linger_seconds. */
  lingerSeconds?: number;
  /** `--schedule`: overrides runner.schedule. */
  schedule?: string;
  /** Hook installers by kind (`hooks: claude`); default: the ones this build ships. */
  hooks?: HookInstallers;
  /** False: no local relay socket (agents publish straight to the broker). Default true. */
  relay?: boolean;
  tmuxExec?: Exec;
  install?: InstallPaths;
  /** How often the process lease is renewed (default 10 s). */
  heartbeatMs?: number;
}

export interface RunningRunner {
  runnerId: string;
  store: SessionStore;
  bus: MqttBus;
  /** One reconcile pass now (skipped if one is running). */
  reconcileNow(): Promise<ReconcileReport>;
  /** Publish offline, close the broker session, release the lease. tmux sessions keep running. */
  stop(): Promise<void>;
}

export async function startRunner(opts: StartRunnerOptions): Promise<RunningRunner> {
  const { config, clock } = opts;
  const home = config.home;
  const identity = readRunnerIdentity(home, (m) => opts.log.warn(m));
  const runnerId = checkRunnerId(identity.runnerId, opts.runnerId ?? config.runner.id, home);
  const log = opts.log.child({ runner: runnerId });
  const cleanups: Array<() => Promise<void> | void> = [];
  const undo = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err: describeError(err) }, 'error while stopping');
      }
    }
  };
  try {
    const store = openSessionStore({ home, log, journal: config.sqlite_journal, clock });
    cleanups.push(() => store.close());
    const lease = acquireLease(store.db, 'runner', clock);
    cleanups.push(() => lease.release());
    const heartbeat = setInterval(() => lease.renew(), opts.heartbeatMs ?? 10_000);
    cleanups.push(() => clearInterval(heartbeat));

    const state = new DaemonState(store.db, identity.keyId, clock);
    const install = opts.install ?? findInstallPaths();
    const shimDir = writeHermesShim(home, install);
    const profiles = new ProfileSet(
      builtinProfiles({
        nodePath: install.node,
        demoAgentPath: install.demoAgent,
        demoStepMs: config.runner.demo_step_ms,
      }),
      config.runner.profiles,
    );
    const tmux = new Tmux({
      socket: config.runner.tmux_socket,
      exec: opts.tmuxExec ?? nodeExec({ env: tmuxClientEnv(opts.env) }),
    });
    const prefix = config.mqtt.topic_prefix;
    const signer: RunnerSigner = { prefix, runnerId, key: identity.key, clock };
    const presence = new Presence(signer, state, () => profiles.names(), log);

    const url = resolveBrokerUrl(config, opts.brokerUrl);
    const bus = await connectBus({
      url,
      log,
      options: buildClientOptions(
        config,
        {
          clientId: persistentClientId(config.mqtt, `runner-${runnerId}`),
          clean: false,
          will: presence.will,
        },
        { url },
      ),
    });
    cleanups.push(() => bus.close());

    const tokens = new JobTokens(home, state);
    const events = new JobEventPublisher({ home, prefix, bus, tokens, clock });
    const watch = new JobWatch({
      bus,
      store,
      tokens,
      prefix,
      maxBytes: config.relay.max_payload_bytes,
      log,
      now: () => clock.now(),
    });
    const mirror = new YamlMirror(mirrorPath(home), clock);
    const lock = new PassLock();
    const maxAgeMs = config.relay.clock_skew_seconds * 1000;

    const hooks = opts.hooks ?? defaultHookInstallers(config.publish.ask_timeout_seconds);
    const cleanup = new JobCleanup({ home, store, profiles, hooks, tokens, log });
    const sessionDeps: SessionCommandDeps = {
      home,
      tmux,
      store,
      mirror,
      cleanup,
      watch,
      clock,
      log,
      maxAgeMs,
    };
    let relay: LocalRelay | undefined;
    const router = new CommandRouter({
      topic: topics.runnerCommands(prefix, runnerId),
      check: {
        runnerId,
        key: identity.key,
        gate: state,
        clock,
        maxBytes: config.relay.max_payload_bytes,
        skewMs: maxAgeMs,
      },
      log,
      handlers: {
        start: (cmd, ageMs) =>
          lock.shared(() =>
            startJob(cmd, ageMs, {
              runnerId,
              runnerKey: identity.key,
              home,
              tmux,
              store,
              state,
              profiles,
              tokens,
              events,
              watch,
              hooks,
              cleanup,
              envFor: (profile, auth) =>
                sessionEnv(
                  {
                    config,
                    runnerId,
                    brokerUrl: url,
                    shimDir,
                    nodeDir: dirname(install.node),
                    basePath: opts.env.PATH,
                    runnerSocket: relay ? relaySocketPath(home) : undefined,
                  },
                  profile,
                  auth,
                ),
              // tmux gives a pane the PATH of the client that created it, whatever -e says: set it by env.
              wrap: (argv, env) => [
                'env',
                `PATH=${env.PATH ?? ''}`,
                install.node,
                install.hermesBin,
                'run',
                '--',
                ...argv,
              ],
              hermesCommand: join(shimDir, 'hermes'),
              defaultCwd: config.runner.workdir ?? opts.env.HOME ?? home,
              userHome: opts.env.HOME,
              maxAgeMs,
              clock,
              log,
            }),
          ),
        cancel: (cmd) => cancelJob(cmd, sessionDeps),
        peek: (cmd, ageMs) => peekJob(cmd, ageMs, sessionDeps),
      },
      publishResult: async (r) => {
        const fitted =
          r.output === undefined
            ? r
            : {
                ...r,
                output: fitOutput(
                  r.output,
                  (o) => resultMessage(signer, Number.MAX_SAFE_INTEGER, { ...r, output: o }),
                  config.relay.max_payload_bytes,
                ),
              };
        const msg = resultMessage(signer, state.nextResultSeq(), fitted);
        await bus.publish(msg.topic, msg.wire, { qos: 1 });
      },
    });
    // First handler on the bus: it receives the persistent session's backlog of commands.
    const offMessages = bus.onMessage((topic, payload) => {
      router.onMessage(topic, payload);
      watch.onMessage(topic, payload);
    });
    await bus.subscribe(topics.runnerCommands(prefix, runnerId), 1);
    await watch.sync();

    if (opts.relay !== false) {
      relay = await startRelay({ home, bus, prefix, log, clock, config, store, state, tokens });
      const r = relay;
      cleanups.push(async () => {
        await r.flush(5_000).catch(() => undefined);
        await r.close();
      });
    }

    const scheduler = new ReconcileScheduler({
      schedule: opts.schedule ?? config.runner.schedule,
      log,
      runPass: () =>
        lock.exclusive(async () => {
          const report = await reconcilePass({
            tmux,
            store,
            mirror,
            clock,
            log,
            lingerSeconds: opts.lingerSeconds ?? config.runner.linger_seconds,
            retentionSeconds: config.runner.retention_seconds,
            holderId: reconcileHolderId(opts.random),
            cleanupJob: (jobId) => cleanup.afterSession(jobId),
            publishError: async (jobId, detail) => {
              if (!bus.connected) return 'deferred';
              await events.error(jobId, detail);
              return 'published';
            },
          });
          await watch
            .sync()
            .catch((e: unknown) => log.warn({ err: describeError(e) }, 'subscription sync failed'));
          return report;
        }),
    });
    cleanups.push(() => scheduler.stop());
    try {
      await scheduler.start();
    } catch (e) {
      log.error({ err: describeError(e) }, 'reconcile at start failed; the schedule retries');
    }

    await presence.publishOnline(bus);
    const offConnection = bus.onConnectionChange((connected) => {
      presence
        .connectionChanged(bus, connected)
        .then(() => (connected ? watch.resubscribeAll() : undefined))
        .catch((e: unknown) => log.warn({ err: describeError(e) }, 'status after reconnect not published'));
    });
    cleanups.push(async () => {
      offMessages();
      offConnection();
      await router.idle();
      if (bus.connected) await presence.publishOffline(bus);
    });
    log.info(
      {
        home,
        tmux_socket: tmux.socket,
        profiles: profiles.names(),
        relay: relay ? relaySocketPath(home) : null,
      },
      'runner running',
    );
    return {
      runnerId,
      store,
      bus,
      reconcileNow: () => scheduler.runNow('manual'),
      stop: undo,
    };
  } catch (e) {
    await undo();
    throw e;
  }
}
