/**
 * One reconcile pass: compare the session store with tmux (one
 * `tmux list-sessions` call), then
 *
 * 1. running sessions whose tmux session is gone, or whose program has
 *    exited (dead pane), become `stopped`; if the job never sent a terminal
 *    event the runner owes it an `error` event;
 * 2. owed error events are published (a failure is logged and retried on the
 *    next pass: the debt is a column in the store, not a memory);
 * 3. sessions whose job ended more than `lingerSeconds` ago are killed and
 *    become `terminated` (the linger lets people peek at the pane first);
 * 4. sessions terminated more than `retentionSeconds` ago become `archived`;
 * 5. `hermes-` tmux sessions the store does not know are reported, not killed.
 *
 * A lease in the store keeps two passes (two processes on one home, or two
 * callers in one) from running at once: the second skips and says so.
 */
import { hostname } from 'node:os';
import { type Clock, isoTime, type Random, systemRandom } from '../src/clock.js';
import { describeError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { Session } from './session-record.js';
import type { SessionStore } from './session-store.js';
import { isHermesSessionName, paneExited, processExists, type Tmux, type TmuxSession } from './tmux.js';
import type { SessionMirror } from './yaml-mirror.js';

/**
 * Publishes an `error` event for a job, signed as the runner daemon does.
 * Resolve (or return 'published') once it is on its way; return 'deferred'
 * to leave it owed without a failure (no broker configured); throw on failure.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain `async () => {}` publisher (Promise<void>) must fit.
export type PublishError = (jobId: string, detail: string) => Promise<void | 'published' | 'deferred'>;

export interface ReconcileDeps {
  tmux: Pick<Tmux, 'listSessions' | 'killSession'>;
  store: SessionStore;
  mirror: SessionMirror;
  clock: Clock;
  log: Logger;
  publishError: PublishError;
  lingerSeconds: number;
  retentionSeconds: number;
  /** Unique per process (reconcileHolderId()). */
  holderId: string;
  /** How long the lease lasts if this process dies mid-pass (default 300 s). */
  leaseSeconds?: number;
  /** Whether a pid exists (default: signal 0); see paneExited. */
  processExists?: (pid: number) => boolean;
  /** Called after a session is terminated, e.g. to remove the job's token file. */
  cleanupJob?: (jobId: string) => void | Promise<void>;
  /**
   * Ends a finished job's session after the linger period: the runner passes killJobSession, which
   * also ends detached children of the job (a bare kill-session leaves `setsid`/`nohup` ones).
   * Default: tmux kill-session only.
   */
  killSession?: (jobId: string, name: string) => Promise<unknown>;
}

export interface ReconcileFailure {
  name: string;
  action: string;
  error: string;
}

export interface ReconcileReport {
  /** Store sessions compared (running, stopped, terminated). */
  checked: number;
  tmuxSessions: number;
  stopped: string[];
  terminated: string[];
  archived: string[];
  /** hermes- tmux sessions the store does not have (or has as terminated / archived). */
  unknown: string[];
  /** Jobs whose owed error event was published in this pass. */
  reported: string[];
  /** Jobs whose owed error event is left for a later pass (publisher deferred or failed). */
  owed: string[];
  failures: ReconcileFailure[];
  /** Set when the pass did not run, with the reason. */
  skipped?: string;
}

export function reconcileHolderId(random: Random = systemRandom): string {
  return `${hostname()}:${process.pid}:${random.bytes(4).toString('hex')}`;
}

export function emptyReport(skipped?: string): ReconcileReport {
  const r: ReconcileReport = {
    checked: 0,
    tmuxSessions: 0,
    stopped: [],
    terminated: [],
    archived: [],
    unknown: [],
    reported: [],
    owed: [],
    failures: [],
  };
  if (skipped !== undefined) r.skipped = skipped;
  return r;
}

const elapsedMs = (now: number, iso: string | null): number => (iso === null ? -1 : now - Date.parse(iso));

function stopReason(
  s: Session,
  t: TmuxSession | undefined,
): { note: string; exitStatus: number | null; owed: string | null } {
  const unreported = ' without the job reporting completed or error';
  if (!t) {
    return {
      note: 'session vanished',
      exitStatus: null,
      owed: s.endedAt ? null : `session vanished${unreported}`,
    };
  }
  const how =
    t.paneDeadStatus !== undefined
      ? `status ${t.paneDeadStatus}`
      : t.paneDeadSignal !== undefined
        ? `signal ${t.paneDeadSignal}`
        : 'an unknown status';
  const note = `agent exited with ${how}`;
  return { note, exitStatus: t.paneDeadStatus ?? null, owed: s.endedAt ? null : `${note}${unreported}` };
}

/**
 * Whether a lease holder (reconcileHolderId: host:pid:random) is a process of this host that is
 * gone: a runner killed in the middle of a pass, whose lease would otherwise block every pass of
 * the restarted runner until it expires.
 */
function holderIsDead(holder: string, exists: (pid: number) => boolean): boolean {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(holder);
  return m !== null && m[1] === hostname() && !exists(Number(m[2]));
}

export async function reconcilePass(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { store, log } = deps;
  const ttlMs = (deps.leaseSeconds ?? 300) * 1000;
  let lease = store.tryAcquireLease(deps.holderId, ttlMs);
  if (!lease.acquired && holderIsDead(lease.holder, deps.processExists ?? processExists)) {
    log.warn({ holder: lease.holder }, 'taking over the reconcile lease of a process that is gone');
    store.releaseLease(lease.holder);
    lease = store.tryAcquireLease(deps.holderId, ttlMs);
  }
  if (!lease.acquired) {
    const reason = `another reconcile pass is running (holder ${lease.holder}, lease until ${isoTime(lease.expiresAt)})`;
    log.info({ holder: lease.holder }, `reconcile pass skipped: ${reason}`);
    return emptyReport(reason);
  }
  try {
    return await runPass(deps);
  } finally {
    store.releaseLease(deps.holderId);
  }
}

async function runPass(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { store, log, clock } = deps;
  const report = emptyReport();
  const attempt = async (name: string, action: string, fn: () => unknown): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      report.failures.push({ name, action, error: describeError(e) });
      log.warn({ session: name, action, err: describeError(e) }, 'reconcile step failed; retrying next pass');
      return false;
    }
  };

  const live = await deps.tmux.listSessions();
  report.tmuxSessions = live.length;
  const byName = new Map(live.map((t) => [t.name, t]));
  const sessions = store.list({ status: ['running', 'stopped', 'terminated'] });
  report.checked = sessions.length;

  // 1. running -> stopped
  for (const s of sessions) {
    if (s.status !== 'running') continue;
    const t = byName.get(s.name);
    const pane = t && {
      dead: t.paneDead,
      status: t.paneDeadStatus,
      signal: t.paneDeadSignal,
      pid: t.panePid,
    };
    // A dead pane whose process tmux has not reaped yet is checked again next pass.
    if (pane && !paneExited(pane, deps.processExists)) continue;
    const why = stopReason(s, t);
    const ok = await attempt(s.name, 'mark stopped', () =>
      store.markStopped(s.name, {
        at: clock.now(),
        exitStatus: why.exitStatus,
        note: why.note,
        owedError: why.owed,
      }),
    );
    if (ok) {
      report.stopped.push(s.name);
      log.info({ session: s.name, job: s.jobId, note: why.note }, 'session stopped');
    }
  }

  // 2. owed error events (this pass's and earlier passes' unpublished ones)
  for (const s of store.owingErrorEvents()) {
    try {
      const outcome = await deps.publishError(s.jobId, s.vanishDetail!);
      if (outcome === 'deferred') {
        report.owed.push(s.jobId);
        continue;
      }
      store.markErrorReported(s.name, clock.now());
      report.reported.push(s.jobId);
    } catch (e) {
      report.owed.push(s.jobId);
      report.failures.push({ name: s.name, action: 'publish error event', error: describeError(e) });
      log.warn(
        { session: s.name, job: s.jobId, err: describeError(e) },
        'could not publish the error event; will retry',
      );
    }
  }

  // 3. job ended + linger passed -> kill, terminated
  const lingerMs = deps.lingerSeconds * 1000;
  for (const s of store.list({ status: ['running', 'stopped'] })) {
    if (s.endedAt === null || elapsedMs(clock.now(), s.endedAt) < lingerMs) continue;
    const present = byName.has(s.name);
    const ok = await attempt(s.name, 'kill after linger', async () => {
      if (present)
        await (deps.killSession ? deps.killSession(s.jobId, s.name) : deps.tmux.killSession(s.name));
      const note = s.status === 'running' ? 'killed after the linger period' : undefined;
      store.markTerminated(s.name, { at: clock.now(), note });
    });
    if (!ok) continue;
    report.terminated.push(s.name);
    log.info({ session: s.name, job: s.jobId, killed: present }, 'session terminated');
    if (deps.cleanupJob) await attempt(s.name, 'clean up job files', () => deps.cleanupJob!(s.jobId));
  }

  // 4. terminated + retention passed -> archived
  const retentionMs = deps.retentionSeconds * 1000;
  for (const s of store.list({ status: 'terminated' })) {
    if (elapsedMs(clock.now(), s.terminatedAt) < retentionMs) continue;
    if (await attempt(s.name, 'archive', () => store.markArchived(s.name, { at: clock.now() }))) {
      report.archived.push(s.name);
    }
  }

  // 5. hermes- sessions the store does not account for: report, never kill
  const active = new Map(sessions.map((s) => [s.name, s.status]));
  for (const t of live) {
    if (!isHermesSessionName(t.name)) continue;
    const status = active.get(t.name) ?? store.get(t.name)?.status;
    if (status === 'running' || status === 'stopped') continue;
    if (status === 'terminated' && report.terminated.includes(t.name)) continue;
    report.unknown.push(t.name);
    log.warn(
      { session: t.name, store: status ?? 'absent' },
      'tmux session unknown to the session store; leaving it alone',
    );
  }

  const changed = report.stopped.length + report.terminated.length + report.archived.length > 0;
  if (changed || deps.mirror.stale) {
    await attempt('agent-sessions.yaml', 'write mirror', () => deps.mirror.write(store.list()));
  }

  const { checked, tmuxSessions, stopped, terminated, archived, unknown, reported, owed, failures } = report;
  const summary = {
    checked,
    tmuxSessions,
    stopped,
    terminated,
    archived,
    unknown,
    reported,
    owed,
    failures: failures.length,
  };
  if (changed || unknown.length || owed.length || failures.length) log.info(summary, 'reconcile pass done');
  else log.debug(summary, 'reconcile pass done');
  return report;
}
