/** Pieces of the runner's start-up: which runner this home is, its lease, profiles, broker session, local relay. */
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/load.js';
import { describeError, HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { connectBus, type MqttBus } from '../../src/mqtt/bus.js';
import { buildClientOptions, persistentClientId } from '../../src/mqtt/options.js';
import { acquireLease } from '../../src/store/lease.js';
import { builtinProfiles } from '../profiles/builtin-profiles.js';
import { detectCodexResume, type RunProgram } from '../profiles/codex-resume.js';
import { ProfileSet } from '../profiles/profile-set.js';
import { startLocalRelay } from '../relay/local-relay.js';
import type { LocalRelay } from '../relay/relay-types.js';
import type { SessionStore } from '../session-store.js';
import type { DaemonState } from './daemon-state.js';
import type { InstallPaths } from './install-paths.js';
import type { JobSeqs } from './job-seqs.js';
import type { JobTokens } from './job-tokens.js';

export const relaySocketPath = (home: string): string => join(home, 'runner.sock');

/** The id given (`--id`, runner.id) must be the one this home was initialised for. */
export function checkRunnerId(identityId: string, requested: string | undefined, home: string): string {
  if (requested !== undefined && requested !== identityId) {
    throw new HermesError(
      'config',
      `this HERMES_HOME (${home}) belongs to runner ${identityId}, not ${requested}`,
      {
        hint: `run it as --id ${identityId}, give runner ${requested} its own HERMES_HOME, or re-initialise with hermes runner init --id ${requested} --force`,
      },
    );
  }
  return identityId;
}

/** One daemon per home: the lease in runner.db, renewed by a heartbeat. Returns its release. */
export function holdLease(store: Pick<SessionStore, 'db'>, clock: Clock, heartbeatMs = 10_000): () => void {
  const lease = acquireLease(store.db, 'runner', clock);
  const heartbeat = setInterval(() => lease.renew(), heartbeatMs);
  return () => {
    clearInterval(heartbeat);
    lease.release();
  };
}

/**
 * Built-in profiles (the demo agent of this installation) under the config file's. With `run`
 * (the daemon), the installed codex is asked whether it has `codex exec resume`, unless the
 * config replaces the codex profile; one-off commands leave it unchecked.
 */
export function runnerProfiles(config: Config, install: InstallPaths, run?: RunProgram): ProfileSet {
  const codex = run && !config.runner.profiles.codex ? detectCodexResume(run) : undefined;
  return new ProfileSet(
    builtinProfiles({
      nodePath: install.node,
      demoAgentPath: install.demoAgent,
      demoStepMs: config.runner.demo_step_ms,
      ...(codex ? { codex } : {}),
    }),
    config.runner.profiles,
  );
}

/** The persistent session: a fixed client id, clean false, and the presence's last will. */
export function connectRunnerBus(o: {
  config: Config;
  url: string;
  runnerId: string;
  will: NonNullable<IClientOptions['will']>;
  log: Logger;
}): Promise<MqttBus> {
  const clientId = persistentClientId(o.config.mqtt, `runner-${o.runnerId}`);
  return connectBus({
    url: o.url,
    log: o.log,
    options: buildClientOptions(o.config, { clientId, clean: false, will: o.will }, { url: o.url }),
  });
}

export interface RelaySetup {
  home: string;
  bus: MqttBus;
  prefix: string;
  log: Logger;
  clock: Clock;
  config: Config;
  store: Pick<SessionStore, 'recordEvent' | 'getByJob'>;
  state: Pick<DaemonState, 'job'>;
  tokens: Pick<JobTokens, 'get'>;
  seqs: Pick<JobSeqs, 'next'>;
}

/**
 * The relay takes events only for jobs this runner started whose session
 * has not ended, verifies them with the job's token (a token job whose token
 * cannot be read is refused, not taken unverified), and tells the session store about each one (so a
 * terminal event is seen even before the broker echoes it back).
 */
export function startRelay(s: RelaySetup): Promise<LocalRelay> {
  return startLocalRelay({
    socketPath: relaySocketPath(s.home),
    home: s.home,
    bus: s.bus,
    prefix: s.prefix,
    log: s.log,
    clock: s.clock,
    maxPayloadBytes: s.config.relay.max_payload_bytes,
    journal: s.config.sqlite_journal,
    jobAllowed: (jobId) => {
      const j = s.state.job(jobId);
      if (j === undefined || j.state === 'failed') return false;
      const session = s.store.getByJob(jobId);
      if (session && (session.status === 'terminated' || session.status === 'archived')) {
        throw new HermesError('forbidden', `the session of job ${jobId} has ended (${session.status})`);
      }
      return true;
    },
    // The job record says whether the job signs: a token job whose token the runner cannot read
    // is refused, never let through unverified.
    jobToken: (jobId) => {
      const j = s.state.job(jobId);
      if (j?.auth === 'none') return null;
      try {
        const token = s.tokens.get(jobId);
        if (typeof token === 'string') return token;
      } catch (e) {
        s.log.warn({ job: jobId, err: describeError(e) }, 'job token unreadable; relay request refused');
      }
      throw new HermesError(
        'bad_signature',
        `the runner cannot read the token of job ${jobId}, so its events cannot be verified; refused`,
      );
    },
    nextSeq: (jobId, floor) => s.seqs.next(jobId, floor),
    onEvent: (jobId, event) => {
      s.store.recordEvent(jobId, event, s.clock.now());
    },
  });
}
