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
import { topics } from '../../src/protocol/topics.js';
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
  bus: Pick<MqttBus, 'connected' | 'publish'>;
  prefix: string;
  events: Pick<JobEventPublisher, 'error'>;
  cleanup: Pick<JobCleanup, 'afterSession'>;
  watch: Pick<JobWatch, 'sync'>;
}

/**
 * The job's retained terminal event served the linger (a restarted runner or a late `hermes watch`
 * learns the job ended); once the session is terminated it would only pile up on the broker and
 * be handed to every new subscriber. The bot has it already: its persistent session queued it.
 */
async function clearRetainedEvent(d: ReconcileRunDeps, jobId: string): Promise<void> {
  if (!d.bus.connected) {
    d.log.debug({ job: jobId }, 'broker away: retained terminal event left (it expires on MQTT 5)');
    return;
  }
  await d.bus.publish(topics.jobEvents(d.prefix, jobId), '', { qos: 1, retain: true });
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
        cleanupJob: async (jobId) => {
          await d.cleanup.afterSession(jobId);
          await clearRetainedEvent(d, jobId);
        },
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
