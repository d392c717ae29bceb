/** The `cancel` and `peek` commands on a job's session. */
import type { Clock } from '../../src/clock.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import type { SessionStore } from '../session-store.js';
import type { Tmux } from '../tmux.js';
import type { SessionMirror } from '../yaml-mirror.js';
import type { JobCleanup } from './job-cleanup.js';
import type { JobWatch } from './job-watch.js';
import type { ResultFields } from './runner-messages.js';

export const DEFAULT_PEEK_LINES = 40;

export interface SessionCommandDeps {
  home: string;
  tmux: Pick<Tmux, 'killSession' | 'capturePane'>;
  store: SessionStore;
  mirror: SessionMirror;
  cleanup: Pick<JobCleanup, 'afterSession'>;
  watch: Pick<JobWatch, 'sync'>;
  clock: Clock;
  log: Logger;
  /** A peek older than this is not answered with output (nobody waits for it any more). */
  maxAgeMs: number;
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
  if (!s)
    return { ...base(cmd), status: 'rejected', reason: `no session for job ${cmd.job_id} on this runner` };
  if (s.status === 'terminated' || s.status === 'archived') {
    return { ...base(cmd), status: 'done', reason: `session ${s.name} had already ended (${s.status})` };
  }
  try {
    const killed = await d.tmux.killSession(s.name);
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
