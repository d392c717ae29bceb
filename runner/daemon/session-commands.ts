/** The `cancel` and `peek` commands on a job's session. */
import type { Clock } from '../../src/clock.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { type KillTreeResult, killProcessTree } from '../process-tree.js';
import type { SessionStore } from '../session-store.js';
import { sessionNameFor, type Tmux } from '../tmux.js';
import type { SessionMirror } from '../yaml-mirror.js';
import type { JobCleanup } from './job-cleanup.js';
import type { JobWatch } from './job-watch.js';
import type { ResultFields } from './runner-messages.js';

export const DEFAULT_PEEK_LINES = 40;

export interface SessionCommandDeps {
  home: string;
  tmux: Pick<Tmux, 'killSession' | 'capturePane' | 'paneState'>;
  store: SessionStore;
  mirror: SessionMirror;
  cleanup: Pick<JobCleanup, 'afterSession'>;
  watch: Pick<JobWatch, 'sync'>;
  clock: Clock;
  log: Logger;
  /** A peek older than this is not answered with output (nobody waits for it any more). */
  maxAgeMs: number;
  /** Tests replace how the job's processes are ended. */
  killTree?: typeof killProcessTree;
}

export interface KillJobSessionDeps {
  home: string;
  tmux: Pick<Tmux, 'killSession' | 'paneState'>;
  log: Logger;
  killTree?: typeof killProcessTree;
}

/**
 * End a job's session and every process of the job: first the pane's process
 * tree and anything else carrying the job's HERMES_JOB_ID / HERMES_HOME (a
 * `setsid` or `nohup` child survives a bare kill-session), by process group,
 * SIGTERM then SIGKILL after a short grace (see process-tree.ts); then the tmux
 * session. true if there was a tmux session to kill. A failure to signal is
 * logged and the session is killed anyway.
 */
export async function killJobSession(d: KillJobSessionDeps, jobId: string, name: string): Promise<boolean> {
  let rootPid: number | undefined;
  try {
    const pane = await d.tmux.paneState(name);
    // A dead pane's pid is gone (or, once reaped, may be someone else's).
    if (pane && !pane.dead) rootPid = pane.pid;
  } catch (e) {
    d.log.warn({ job: jobId, session: name, err: describeError(e) }, 'pane pid unknown');
  }
  let ended: KillTreeResult | undefined;
  try {
    ended = await (d.killTree ?? killProcessTree)({
      rootPid,
      env: { HERMES_JOB_ID: jobId, HERMES_HOME: d.home },
    });
  } catch (e) {
    d.log.warn(
      { job: jobId, session: name, err: describeError(e) },
      "could not signal the job's processes; killing its tmux session anyway",
    );
  }
  if (ended && ended.signalled.length > 0) {
    d.log.info(
      { job: jobId, session: name, signalled: ended.signalled.length, forced: ended.forced.length },
      "job's processes ended",
    );
  }
  return d.tmux.killSession(name);
}

const base = (cmd: RunnerCommandEnvelope) => ({
  command: cmd.event,
  commandSeq: cmd.seq,
  jobId: cmd.job_id,
});

/**
 * Kill the job's session and mark it terminated. The bot has already marked
 * the job cancelled, so no event is published. Runs whatever the command's
 * age: a late cancel still must not leave an agent running.
 */
export async function cancelJob(cmd: RunnerCommandEnvelope, d: SessionCommandDeps): Promise<ResultFields> {
  const s = d.store.getByJob(cmd.job_id);
  if (!s) return cancelUnrecorded(cmd, d);
  if (s.status === 'terminated' || s.status === 'archived') {
    return { ...base(cmd), status: 'done', reason: `session ${s.name} had already ended (${s.status})` };
  }
  try {
    const killed = await killJobSession(d, cmd.job_id, s.name);
    d.store.markTerminated(s.name, { at: d.clock.now(), note: 'cancelled' });
    d.log.info({ job: cmd.job_id, session: s.name, killed }, 'job cancelled; session killed');
  } catch (e) {
    d.log.error({ job: cmd.job_id, session: s.name, err: describeError(e) }, 'cancel failed');
    return { ...base(cmd), status: 'rejected', reason: describeError(e) };
  }
  try {
    d.mirror.write(d.store.list());
  } catch (e) {
    d.log.warn({ err: describeError(e) }, 'agent-sessions.yaml not updated; the next reconcile pass retries');
  }
  await d.cleanup.afterSession(cmd.job_id);
  await d.watch.sync().catch((e: unknown) => d.log.warn({ err: describeError(e) }, 'unsubscribe failed'));
  return { ...base(cmd), status: 'done' };
}

/**
 * A cancel for a job the session store does not hold: a start that failed
 * after its tmux session was created, or a runner that died in the middle of
 * a start, can leave `hermes-<job>` running without a row. Kill it (and the
 * job's processes) by its name all the same.
 */
async function cancelUnrecorded(cmd: RunnerCommandEnvelope, d: SessionCommandDeps): Promise<ResultFields> {
  const name = sessionNameFor(cmd.job_id);
  try {
    const killed = await killJobSession(d, cmd.job_id, name);
    if (killed) {
      d.log.warn(
        { job: cmd.job_id, session: name },
        'job cancelled; killed a session the store did not hold',
      );
      await d.cleanup.afterSession(cmd.job_id);
      return {
        ...base(cmd),
        status: 'done',
        reason: `killed session ${name}, which this runner had not recorded`,
      };
    }
  } catch (e) {
    d.log.error({ job: cmd.job_id, session: name, err: describeError(e) }, 'cancel failed');
    return { ...base(cmd), status: 'rejected', reason: describeError(e) };
  }
  return { ...base(cmd), status: 'rejected', reason: `no session for job ${cmd.job_id} on this runner` };
}

/** The last lines of the job's pane; the output is cut to fit the result (see fitOutput). */
export async function peekJob(
  cmd: RunnerCommandEnvelope,
  ageMs: number,
  d: SessionCommandDeps,
): Promise<ResultFields & { status: 'done' | 'rejected' }> {
  const requestId = cmd.data.request_id;
  const r = { ...base(cmd), ...(requestId !== undefined ? { requestId } : {}) };
  if (ageMs > d.maxAgeMs) return { ...r, status: 'rejected', reason: 'peek request arrived too late' };
  const s = d.store.getByJob(cmd.job_id);
  if (!s) return { ...r, status: 'rejected', reason: `no session for job ${cmd.job_id} on this runner` };
  if (s.status === 'terminated' || s.status === 'archived') {
    return { ...r, status: 'rejected', reason: `session ${s.name} was ${s.status}; its pane is gone` };
  }
  try {
    const output = await d.tmux.capturePane(s.name, cmd.data.lines ?? DEFAULT_PEEK_LINES);
    return { ...r, status: 'done', output };
  } catch (e) {
    return { ...r, status: 'rejected', reason: describeError(e) };
  }
}
