/**
 * One reconcile pass as the daemon runs it: alone (no agent starting at the
 * same time, see pass-lock.ts), error events for vanished sessions signed
 * with the job's token (left owed while the broker is away), the job's files
 * and hooks removed after termination, and subscriptions brought in line
 * with the sessions still live.
 */
import type { Clock, Random } from '../../src/clock.js';
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import { type ReconcileReport, reconcileHolderId, reconcilePass } from '../reconcile.js';
import type { SessionStore } from '../session-store.js';
import type { Tmux } from '../tmux.js';
import type { SessionMirror } from '../yaml-mirror.js';
import type { JobCleanup } from './job-cleanup.js';
import type { JobEventPublisher } from './job-events.js';
import type { JobWatch } from './job-watch.js';
import type { PassLock } from './pass-lock.js';
import { killJobSession } from './session-commands.js';

export interface ReconcileRunDeps {
  lock: PassLock;
  /** The runner's home: a job's processes carry it in HERMES_HOME. */
  home: string;
  tmux: Tmux;
  store: SessionStore;
  mirror: SessionMirror;
  clock: Clock;
  random: Random;
  log: Logger;
  lingerSeconds: number;
  retentionSeconds: number;
  bus: Pick<MqttBus, 'connected'>;
  events: Pick<JobEventPublisher, 'error'>;
  cleanup: Pick<JobCleanup, 'afterSession'>;
  watch: Pick<JobWatch, 'sync'>;
}

export function reconcileRun(d: ReconcileRunDeps): () => Promise<ReconcileReport> {
  return () =>
    d.lock.exclusive(async () => {
      const report = await reconcilePass({
        tmux: d.tmux,
        store: d.store,
        mirror: d.mirror,
        clock: d.clock,
        log: d.log,
        lingerSeconds: d.lingerSeconds,
        retentionSeconds: d.retentionSeconds,
        holderId: reconcileHolderId(d.random),
        cleanupJob: (jobId) => d.cleanup.afterSession(jobId),
        killSession: (jobId, name) => killJobSession({ home: d.home, tmux: d.tmux, log: d.log }, jobId, name),
        publishError: async (jobId, detail) => {
          if (!d.bus.connected) return 'deferred';
          await d.events.error(jobId, detail);
          return 'published';
        },
      });
      await d.watch
        .sync()
        .catch((e: unknown) => d.log.warn({ err: describeError(e) }, 'subscription sync failed'));
      return report;
    });
}
