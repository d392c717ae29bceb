/**
 * Starts a runner was killed in the middle of. A start claims its job
 * (`runner_jobs` row `starting`) before anything else and records it
 * `started` or `failed` at the end; a SIGKILL or a crash in between leaves
 * the row `starting` forever: a re-sent start is refused as "already
 * started", and a tmux session created meanwhile is one the store never
 * heard of. At start-up, before any command is handled, the daemon settles
 * each such row:
 *
 * - a `hermes-<job>` tmux session exists: the start got that far; the
 *   session is adopted into the store as `running` (reconcile then treats it
 *   like any other: stopped if its agent is gone, an error event if the job
 *   never ended) and the job becomes `started`;
 * - no session: the job becomes `failed`, an `error` event says why (signed
 *   with the token file the start wrote first; without it, nothing can be
 *   signed and only the log says so), and the job's files and any hooks it
 *   installed are removed.
 *
 * The profile, working directory and hook kind come from the intent the
 * start noted in the row before installing hooks (encodeStartIntent).
 */
import type { Clock } from '../../src/clock.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { prepared } from '../../src/store/sqlite.js';
import type { HookKind } from '../profiles/hook-installers.js';
import type { SessionStore } from '../session-store.js';
import { sessionNameFor, type Tmux } from '../tmux.js';
import type { DaemonState } from './daemon-state.js';
import type { JobCleanup } from './job-cleanup.js';
import type { JobEventPublisher } from './job-events.js';

export interface StartIntent {
  profile: string;
  cwd: string;
  hooks: HookKind;
}

/** Kept in runner_jobs.detail while the job is `starting`. */
export const encodeStartIntent = (i: StartIntent): string => JSON.stringify({ intent: i });

export function decodeStartIntent(detail: string | null): StartIntent | undefined {
  if (!detail) return undefined;
  try {
    const i = (JSON.parse(detail) as { intent?: Partial<StartIntent> }).intent;
    if (!i || typeof i.profile !== 'string' || typeof i.cwd !== 'string') return undefined;
    return { profile: i.profile, cwd: i.cwd, hooks: i.hooks === 'claude' ? 'claude' : 'none' };
  } catch {
    return undefined;
  }
}

export interface StartRecoveryDeps {
  runnerId: string;
  store: SessionStore;
  state: Pick<DaemonState, 'job' | 'setJobState'>;
  tmux: Pick<Tmux, 'paneState'>;
  events: Pick<JobEventPublisher, 'error'>;
  cleanup: Pick<JobCleanup, 'afterFailedStart'>;
  clock: Clock;
  log: Logger;
}

export interface StartRecoveryReport {
  adopted: string[];
  failed: string[];
}

/** Jobs whose start never finished (runner_jobs is DaemonState's table, in the same runner.db). */
function startingJobs(store: Pick<SessionStore, 'db'>): string[] {
  return (
    prepared(
      store.db,
      "SELECT job_id FROM runner_jobs WHERE state = 'starting' ORDER BY updated_at",
    ).all() as {
      job_id: string;
    }[]
  ).map((r) => r.job_id);
}

export async function recoverInterruptedStarts(d: StartRecoveryDeps): Promise<StartRecoveryReport> {
  const report: StartRecoveryReport = { adopted: [], failed: [] };
  for (const jobId of startingJobs(d.store)) {
    try {
      if (await settle(d, jobId)) report.adopted.push(jobId);
      else report.failed.push(jobId);
    } catch (e) {
      // Left `starting`: tried again at the next start-up.
      d.log.error({ job: jobId, err: describeError(e) }, 'could not settle a start interrupted by a restart');
    }
  }
  return report;
}

/** true: adopted; false: failed. */
async function settle(d: StartRecoveryDeps, jobId: string): Promise<boolean> {
  const job = d.state.job(jobId);
  const intent = decodeStartIntent(job?.detail ?? null);
  const name = sessionNameFor(jobId);
  if (d.store.getByJob(jobId)) {
    // The session was recorded; only the job's state was not.
    d.state.setJobState(jobId, 'started');
    d.log.info({ job: jobId, session: name }, 'start interrupted by a restart had completed');
    return true;
  }
  const pane = await d.tmux.paneState(name);
  if (pane) {
    d.store.create({
      jobId,
      profile: intent?.profile ?? 'unknown',
      cwd: intent?.cwd ?? null,
      panePid: pane.pid ?? null,
      note: 'adopted: the runner stopped while starting it',
    });
    d.state.setJobState(jobId, 'started');
    d.log.warn({ job: jobId, session: name }, 'adopted the session of a start interrupted by a restart');
    return true;
  }
  const detail = `runner ${d.runnerId} stopped while starting job ${jobId}; not started`;
  d.state.setJobState(jobId, 'failed', detail);
  d.log.warn({ job: jobId }, 'start interrupted by a restart: marked failed');
  try {
    await d.events.error(jobId, detail);
  } catch (e) {
    d.log.error(
      { job: jobId, err: describeError(e) },
      'could not publish the error event of a start interrupted by a restart',
    );
  }
  await d.cleanup.afterFailedStart(
    jobId,
    intent && intent.hooks !== 'none' ? { kind: intent.hooks, cwd: intent.cwd } : undefined,
  );
  return false;
}
