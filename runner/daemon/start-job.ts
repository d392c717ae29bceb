/**
 * The `start` command: open the sealed token, find the profile, and start the
 * agent under `hermes run` in a tmux session named after the job.
 *
 * Once the token is open every failure (unknown profile, bad cwd, missing
 * program, hooks that cannot be installed, an agent that dies at once) also
 * becomes an `error` event for the job, signed with its token, so the chat
 * shows why instead of a job that hangs. A second start for a job this
 * runner has seen is refused without touching the first.
 *
 * Order matters: the working directory is checked before hooks are written
 * into it (nothing ever creates it); the token file is written right after
 * the claim and what the start is about to do (profile, cwd, hooks) is noted
 * in the claim, so a runner killed in the middle can finish or fail the start
 * when it comes back (start-recovery.ts); a failure after the tmux session
 * exists kills it; the job's files are removed only after its error event is
 * published (it needs the token and the next seq).
 */
import type { Clock } from '../../src/clock.js';
import { describeError, HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { openSealedToken } from '../../src/protocol/seal.js';
import { writeTokenFile } from '../job-files.js';
import { expandArgv } from '../profiles/expand-argv.js';
import { type HookInstallers, installHooks } from '../profiles/hook-installers.js';
import type { ProfileSet } from '../profiles/profile-set.js';
import type { SessionStore } from '../session-store.js';
import { checkCwd, type StartAgentOptions, type StartedAgent, startAgentSession } from '../start-session.js';
import type { Tmux } from '../tmux.js';
import { type WorkspaceDeps, workspaceFor } from '../worktrees/start-workspace.js';
import type { DaemonState } from './daemon-state.js';
import type { HookSite, JobCleanup } from './job-cleanup.js';
import type { JobEventPublisher } from './job-events.js';
import { startPolicyData, writeJobPolicy } from './job-policy.js';
import type { JobTokens } from './job-tokens.js';
import type { JobWatch } from './job-watch.js';
import type { ResultFields } from './runner-messages.js';
import { killJobSession } from './session-commands.js';
import type { AgentProfile } from './session-env.js';
import { checkProgram, resolveCwd } from './start-inputs.js';
import { encodeStartIntent } from './start-recovery.js';

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
  cleanup: Pick<JobCleanup, 'afterFailedStart' | 'holdHooks'>;
  /** Session environment for a profile's env and the job's auth. */
  envFor: (
    profile: AgentProfile,
    auth: 'token' | 'none',
    job?: { maxCostUsd?: number | undefined },
  ) => Record<string, string>;
  /** argv of `hermes run -- <agent argv>` for a session with this environment. */
  wrap: (agentArgv: readonly string[], env: Readonly<Record<string, string>>) => string[];
  /** The `hermes` command hooks call. */
  hermesCommand: string;
  /** argv that runs the hook entry directly (install-paths.ts hookEntry); else `hermes hook`. */
  hookCommand?: readonly string[];
  defaultCwd: string;
  /** runner.cwd_roots: where a requested working directory may lie (none: a request may not choose). */
  cwdRoots: readonly string[];
  userHome: string | undefined;
  /** runner.hardline_add / runner.hardline_remove (none: the built-in hardline denies as they are). */
  hardline?: { add: readonly string[]; remove: readonly string[] };
  /** A start older than this (by its timestamp) is not run. */
  maxAgeMs: number;
  startTimeoutMs?: number;
  clock: Clock;
  log: Logger;
  /** Job worktrees (runner.repos); absent: a job that asks for one is refused. */
  worktrees?: WorkspaceDeps['worktrees'];
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
  // What the hooks will enforce, told to the bot with the accepted start (none without hooks).
  let policy: ResultFields['policy'];

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
  let started: StartedAgent | undefined;
  try {
    // On disk from the start: a runner restarted in the middle of this start can still sign the job's error event.
    if (token !== null) writeTokenFile(d.home, jobId, token);
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
    // A worktree job's cwd is its own new worktree (runner/worktrees/); others resolve as before.
    const cwd =
      (await workspaceFor(jobId, profile, cmd.data, d)) ??
      resolveCwd(cmd.data.cwd, profile.cwd, d.defaultCwd, d.userHome, d.cwdRoots);
    // Before anything is written into it (hooks): a missing folder is an error, never created.
    checkCwd(cwd, jobId);
    // Before the hooks that read it: a bad rule fails the start, it never runs an agent unguarded.
    const written = writeJobPolicy(
      { ...d, hardline: d.hardline ?? { add: [], remove: [] } },
      jobId,
      profile,
      cmd.data.approvals,
      cwd,
    );
    if (profile.hooks !== 'none') policy = startPolicyData(written);
    const env = d.envFor(profile, auth, { maxCostUsd: cmd.data.max_cost_usd });
    checkProgram(argv[0]!, cwd, env.PATH ?? '');
    hookSite = { kind: profile.hooks, cwd };
    d.state.setJobState(
      jobId,
      'starting',
      encodeStartIntent({ profile: profile.name, cwd, hooks: profile.hooks }),
    );
    d.cleanup.holdHooks(jobId, hookSite);
    await installHooks(profile.hooks, d.hooks, {
      jobId,
      cwd,
      home: d.home,
      hermesCommand: d.hermesCommand,
      ...(d.hookCommand ? { hookCommand: d.hookCommand } : {}),
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
    started = await (d.startSession ?? startAgentSession)(options);
    d.store.create({ jobId, profile: profile.name, cwd, panePid: started.panePid ?? null });
    d.watch.endStart(jobId);
    d.state.setJobState(jobId, 'started');
    d.log.info({ job: jobId, profile: profile.name, session: started.name, cwd }, 'job started');
    return policy ? { ...result('accepted'), policy } : result('accepted');
  } catch (e) {
    const detail = describeError(e);
    d.watch.abortStart(jobId);
    if (started) await undoSession(d, jobId, started.name);
    try {
      d.state.setJobState(jobId, 'failed', detail);
    } catch (se) {
      // Left `starting`: the next runner start resolves it (start-recovery.ts).
      d.log.error({ job: jobId, err: describeError(se) }, 'could not record the failed start');
    }
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

/**
 * A start that failed after its tmux session came up (the store or the job
 * state could not be written): kill the session and the job's processes, and
 * end a session row already written, so no agent runs for a job the bot is
 * told did not start.
 */
async function undoSession(d: StartDeps, jobId: string, name: string): Promise<void> {
  try {
    await killJobSession({ home: d.home, tmux: d.tmux, log: d.log }, jobId, name);
  } catch (e) {
    d.log.error(
      { job: jobId, session: name, err: describeError(e) },
      'could not kill the session of a failed start',
    );
  }
  try {
    const s = d.store.getByJob(jobId);
    if (s && (s.status === 'running' || s.status === 'stopped')) {
      d.store.markTerminated(s.name, { at: d.clock.now(), note: 'start failed' });
    }
  } catch (e) {
    d.log.error(
      { job: jobId, session: name, err: describeError(e) },
      'could not end the session record of a failed start',
    );
  }
}
