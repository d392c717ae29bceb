/**
 * The `start` command: open the sealed token, find the profile, and start the
 * agent under `hermes run` in a tmux session named after the job.
 *
 * Once the token is open every failure (unknown profile, bad cwd, missing
 * program, hooks that cannot be installed, an agent that dies at once) also
 * becomes an `error` event for the job, signed with its token, so the chat
 * shows why instead of a job that hangs. A second start for a job this
 * runner has seen is refused without touching the first.
 */
import type { Clock } from '../../src/clock.js';
import { describeError, HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { openSealedToken } from '../../src/protocol/seal.js';
import { expandArgv } from '../profiles/expand-argv.js';
import { type HookInstallers, installHooks } from '../profiles/hook-installers.js';
import type { ProfileSet } from '../profiles/profile-set.js';
import type { SessionStore } from '../session-store.js';
import { type StartAgentOptions, startAgentSession } from '../start-session.js';
import type { Tmux } from '../tmux.js';
import type { DaemonState } from './daemon-state.js';
import type { HookSite, JobCleanup } from './job-cleanup.js';
import type { JobEventPublisher } from './job-events.js';
import type { JobTokens } from './job-tokens.js';
import type { JobWatch } from './job-watch.js';
import type { ResultFields } from './runner-messages.js';
import { checkProgram, resolveCwd } from './start-inputs.js';

export interface StartDeps {
  runnerId: string;
  runnerKey: string;
  home: string;
  tmux: Tmux;
  store: SessionStore;
  state: DaemonState;
  profiles: ProfileSet;
  tokens: JobTokens;
  events: Pick<JobEventPublisher, 'error'>;
  watch: Pick<JobWatch, 'beginStart' | 'endStart' | 'abortStart' | 'sync'>;
  hooks: HookInstallers;
  cleanup: Pick<JobCleanup, 'afterFailedStart'>;
  /** Session environment for a profile's env and the job's auth. */
  envFor: (
    profile: { name: string; env: Readonly<Record<string, string>> },
    auth: 'token' | 'none',
  ) => Record<string, string>;
  /** argv of `hermes run -- <agent argv>` for a session with this environment. */
  wrap: (agentArgv: readonly string[], env: Readonly<Record<string, string>>) => string[];
  /** The `hermes` command hooks call. */
  hermesCommand: string;
  defaultCwd: string;
  /** runner.cwd_roots: where a requested working directory may lie (none: a request may not choose). */
  cwdRoots: readonly string[];
  userHome: string | undefined;
  /** A start older than this (by its timestamp) is not run. */
  maxAgeMs: number;
  startTimeoutMs?: number;
  clock: Clock;
  log: Logger;
  /** Tests replace the tmux starter. */
  startSession?: typeof startAgentSession;
}

export async function startJob(
  cmd: RunnerCommandEnvelope,
  ageMs: number,
  d: StartDeps,
): Promise<ResultFields> {
  const jobId = cmd.job_id;
  const result = (status: 'accepted' | 'rejected', reason?: string): ResultFields => ({
    command: 'start',
    commandSeq: cmd.seq,
    jobId,
    status,
    ...(reason !== undefined ? { reason } : {}),
  });

  const seen = d.store.getByJob(jobId) ?? d.state.job(jobId);
  if (seen) return result('rejected', `job ${jobId} was already started on runner ${d.runnerId}`);

  const auth = cmd.data.auth === 'none' ? 'none' : 'token';
  let token: string | null = null;
  if (auth === 'token') {
    if (!cmd.data.sealed_token) return result('rejected', 'the start command carries no sealed token');
    try {
      token = openSealedToken(cmd.data.sealed_token, d.runnerKey, jobId);
    } catch (e) {
      // Without the token the runner cannot sign an error event: the result is all the bot gets.
      d.log.error({ job: jobId, err: (e as Error).message }, 'start refused: sealed token does not open');
      return result('rejected', `${(e as Error).message}; is the bot paired with this runner's current key?`);
    }
  }
  if (!d.state.claimJob(jobId, auth, cmd.seq)) {
    return result('rejected', `job ${jobId} was already started on runner ${d.runnerId}`);
  }
  d.tokens.remember(jobId, token);

  const profileName = cmd.data.profile ?? '';
  let hookSite: HookSite | undefined;
  try {
    if (ageMs > d.maxAgeMs) {
      throw new HermesError(
        'stale',
        `the start command reached runner ${d.runnerId} ${Math.round(ageMs / 1000)} s after it was sent; not started`,
      );
    }
    const profile = d.profiles.get(profileName);
    if (!profile) {
      throw new HermesError(
        'config',
        `runner ${d.runnerId} has no profile ${profileName || '(none given)'} (it offers: ${d.profiles.names().join(', ')})`,
      );
    }
    const argv = expandArgv(profile.name, profile.argv, cmd.data.prompt ?? '');
    const cwd = resolveCwd(cmd.data.cwd, profile.cwd, d.defaultCwd, d.userHome, d.cwdRoots);
    const env = d.envFor(profile, auth);
    checkProgram(argv[0]!, cwd, env.PATH ?? '');
    hookSite = { kind: profile.hooks, cwd };
    await installHooks(profile.hooks, d.hooks, {
      jobId,
      cwd,
      home: d.home,
      hermesCommand: d.hermesCommand,
    });
    await d.watch.beginStart(jobId);
    const options: StartAgentOptions = {
      tmux: d.tmux,
      home: d.home,
      jobId,
      argv: d.wrap(argv, env),
      cwd,
      env,
      log: d.log,
    };
    if (token !== null) options.token = token;
    if (d.startTimeoutMs !== undefined) options.startTimeoutMs = d.startTimeoutMs;
    const started = await (d.startSession ?? startAgentSession)(options);
    d.store.create({ jobId, profile: profile.name, cwd, panePid: started.panePid ?? null });
    d.watch.endStart(jobId);
    d.state.setJobState(jobId, 'started');
    d.log.info({ job: jobId, profile: profile.name, session: started.name, cwd }, 'job started');
    return result('accepted');
  } catch (e) {
    const detail = describeError(e);
    d.watch.abortStart(jobId);
    d.state.setJobState(jobId, 'failed', detail);
    d.log.warn({ job: jobId, profile: profileName, err: detail }, 'job not started');
    try {
      await d.events.error(jobId, detail);
    } catch (pe) {
      d.log.error(
        { job: jobId, err: describeError(pe) },
        'could not publish the error event of a failed start',
      );
    }
    await d.cleanup.afterFailedStart(jobId, hookSite);
    await d.watch.sync().catch(() => undefined);
    return result('rejected', detail);
  }
}
