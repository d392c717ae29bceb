/**
 * Wiring of the `hermes runner` process: identity, runner.db (one daemon per
 * home, by lease), tmux, profiles, the persistent broker session with its
 * last will, commands from the bot, the events of its jobs, the local relay
 * for agents, and reconcile at start and on the schedule. Returns a handle
 * whose stop() undoes it all; tmux sessions are left running (the next start
 * re-adopts them).
 */

import type { Clock, Random } from '../../src/clock.js';
import type { Config, Env } from '../../src/config/load.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import { resolveBrokerUrl } from '../../src/mqtt/options.js';
import { topics } from '../../src/protocol/topics.js';
import { type RunProgram, spawnProgram } from '../profiles/codex-resume.js';
import { defaultHookInstallers, type HookInstallers } from '../profiles/hook-installers.js';
import type { ReconcileReport } from '../reconcile.js';
import { ReconcileScheduler } from '../reconcile-scheduler.js';
import type { LocalRelay } from '../relay/relay-types.js';
import { openSessionStore, type SessionStore } from '../session-store.js';
import { type Exec, Tmux } from '../tmux.js';
import { nodeExec, tmuxClientEnv } from '../tmux-exec.js';
import { diffJob, endReportResult } from '../worktrees/diff-command.js';
import { worktreeService } from '../worktrees/worktree-setup.js';
import { mirrorPath, YamlMirror } from '../yaml-mirror.js';
import { CommandRouter } from './command-router.js';
import { DaemonState } from './daemon-state.js';
import { followupJob } from './followup-command.js';
import { readRunnerIdentity } from './identity.js';
import { findInstallPaths, type InstallPaths, writeHermesShim } from './install-paths.js';
import { JobCleanup } from './job-cleanup.js';
import { JobEventPublisher } from './job-events.js';
import { JobSeqs } from './job-seqs.js';
import { JobTokens } from './job-tokens.js';
import { JobWatch } from './job-watch.js';
import { PassLock } from './pass-lock.js';
import { Presence } from './presence.js';
import { reconcileRun } from './reconcile-run.js';
import { resendEvents } from './resend-events.js';
import { resultPublisher } from './result-publisher.js';
import type { RunnerSigner } from './runner-messages.js';
import {
  checkRunnerId,
  connectRunnerBus,
  holdLease,
  relaySocketPath,
  runnerProfiles,
  startRelay,
} from './runner-setup.js';
import { cancelJob, peekJob, type SessionCommandDeps } from './session-commands.js';
import { sessionLaunch } from './session-launch.js';
import { startJob } from './start-job.js';
import { recoverInterruptedStarts } from './start-recovery.js';

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
  /** Runs `codex exec --help` for the codex profile's follow-ups; default: spawned with `env`. */
  runProgram?: RunProgram;
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
    cleanups.push(holdLease(store, clock, opts.heartbeatMs));

    const state = new DaemonState(store.db, identity.keyId, clock);
    const install = opts.install ?? findInstallPaths();
    const shimDir = writeHermesShim(home, install);
    const profiles = runnerProfiles(config, install, opts.runProgram ?? spawnProgram(opts.env));
    const codex = profiles.get('codex');
    if (codex?.builtin) {
      log.info(
        { followup: codex.followup, ...(codex.followup_reason ? { reason: codex.followup_reason } : {}) },
        'codex profile follow-ups',
      );
    }
    const tmux = new Tmux({
      socket: config.runner.tmux_socket,
      exec: opts.tmuxExec ?? nodeExec({ env: tmuxClientEnv(opts.env) }),
    });
    const prefix = config.mqtt.topic_prefix;
    const signer: RunnerSigner = { prefix, runnerId, key: identity.key, clock };
    const presence = new Presence(
      signer,
      state,
      () => profiles.names(),
      log,
      config.runner.cwd_roots.length > 0,
    );

    const url = resolveBrokerUrl(config, opts.brokerUrl);
    const bus = await connectRunnerBus({ config, url, runnerId, will: presence.will, log });
    cleanups.push(() => bus.close());

    const tokens = new JobTokens(home, state);
    const seqs = new JobSeqs(store.db, home);
    const events = new JobEventPublisher({
      home,
      prefix,
      bus,
      tokens,
      clock,
      nextSeq: (jobId) => seqs.next(jobId),
    });
    const worktrees = worktreeService({
      config,
      env: opts.env,
      db: store.db,
      clock,
      log,
      profiles: profiles.list(),
    });
    const publishResult = resultPublisher({ bus, signer, state, maxBytes: config.relay.max_payload_bytes });
    // The change at a job's end goes to the bot as a result nobody asked for (diff-command.ts).
    const reportEnd = (jobId: string, outcome: 'completed' | 'error') => {
      if (!worktrees) return;
      worktrees
        .ended(jobId, outcome)
        .then((report) => (report ? publishResult(endReportResult(jobId, report)) : undefined))
        .catch((e: unknown) => log.warn({ job: jobId, err: describeError(e) }, 'change report not sent'));
    };
    const reportTurn = (jobId: string, seq: number) => {
      if (!worktrees) return;
      worktrees
        .turnEnded(jobId, seq)
        .then((report) => (report ? publishResult(endReportResult(jobId, report, 'turn_end')) : undefined))
        .catch((e: unknown) => log.warn({ job: jobId, err: describeError(e) }, 'change report not sent'));
    };
    const watch = new JobWatch({
      onSeq: (jobId, seq) => {
        try {
          seqs.seen(jobId, seq);
        } catch (err) {
          log.warn({ job: jobId, seq, err: describeError(err) }, 'seq of a followed event not noted');
        }
      },
      onEnded: reportEnd,
      onTurnEnd: reportTurn,
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
    const cleanup = new JobCleanup({
      home,
      store,
      profiles,
      hooks,
      tokens,
      seqs,
      log,
      ...(worktrees ? { worktrees } : {}),
    });
    // Before any command is handled (the bus holds messages until the first handler below):
    // starts a killed runner left half done are adopted or failed, so a re-sent start's
    // "already started" answer is true and a cancel finds the session.
    try {
      const recovered = await recoverInterruptedStarts({
        runnerId,
        store,
        state,
        tmux,
        events,
        cleanup,
        clock,
        log,
      });
      if (recovered.adopted.length + recovered.failed.length > 0) {
        log.info(recovered, 'starts interrupted by a restart settled');
      }
    } catch (e) {
      log.error({ err: describeError(e) }, 'could not settle starts interrupted by a restart');
    }
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
              ...sessionLaunch({
                config,
                runnerId,
                brokerUrl: url,
                install,
                shimDir,
                env: opts.env,
                // A start handled before the relay listens (the session's backlog) publishes directly.
                runnerSocket: relay ? relaySocketPath(home) : undefined,
              }),
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
              maxAgeMs,
              clock,
              log,
              worktrees,
            }),
          ),
        cancel: (cmd) => cancelJob(cmd, sessionDeps),
        peek: (cmd, ageMs) => peekJob(cmd, ageMs, sessionDeps),
        followup: (cmd) => followupJob(cmd, { home, store, profiles, tmux, log }),
        diff: (cmd, ageMs) => diffJob(cmd, ageMs, { worktrees, maxAgeMs }),
        resend: async (cmd) => resendEvents(cmd, relay),
      },
      publishResult,
    });
    // First handler on the bus: it receives the persistent session's backlog of commands.
    const offMessages = bus.onMessage((topic, payload) => {
      router.onMessage(topic, payload);
      watch.onMessage(topic, payload);
    });
    await bus.subscribe(topics.runnerCommands(prefix, runnerId), 1);
    await watch.sync();

    if (opts.relay !== false) {
      try {
        const r = await startRelay({
          home,
          bus,
          prefix,
          log,
          clock,
          config,
          store,
          state,
          tokens,
          seqs,
        });
        relay = r;
        cleanups.push(async () => {
          await r.flush(5_000).catch(() => undefined);
          await r.close();
        });
      } catch (e) {
        // Agents still work without it (they publish straight to the broker); say so loudly.
        log.error(
          { err: describeError(e), socket: relaySocketPath(home) },
          'local relay not started; agents will publish directly to the broker',
        );
      }
    }

    const scheduler = new ReconcileScheduler({
      schedule: opts.schedule ?? config.runner.schedule,
      log,
      runPass: reconcileRun({
        lock,
        home: config.home,
        tmux,
        store,
        mirror,
        clock,
        random: opts.random,
        log,
        lingerSeconds: opts.lingerSeconds ?? config.runner.linger_seconds,
        retentionSeconds: config.runner.retention_seconds,
        bus,
        prefix,
        events,
        cleanup,
        watch,
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
