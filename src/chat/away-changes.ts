/**
 * What the CLI changed in the database while no bot ran (`hermes jobs cancel`, `hermes jobs
 * decide` without a bot): shown when the chat core starts or the platform is back, as the live
 * path shows it. Cancels go through EventDelivery.ended (recorded under CANCEL_SEQ, so once);
 * request messages still showing buttons for a decided request are edited to their outcome.
 */
import type { ChatDeps } from './deps.js';
import type { EventDelivery } from './event-delivery.js';
import { renderCancelAnnouncement, renderCancelled } from './render/events.js';
import { who } from './render/people.js';
import type { RequestMessages } from './request-messages.js';

/** `hermes jobs cancel` and the bot store "cancelled by <who>" as the job's status reason. */
const BY = /^cancelled by (.+)$/;

export async function showAwayChanges(
  deps: ChatDeps,
  delivery: EventDelivery,
  requests: RequestMessages,
): Promise<void> {
  const { state, registry, platform, log, queue } = deps;
  for (const jobId of state.unshownCancels()) {
    const job = registry.get(jobId);
    if (!job) continue;
    const raw = BY.exec(job.statusReason ?? '')?.[1];
    const by = raw === undefined ? undefined : who(raw, platform);
    await delivery
      .ended(jobId, renderCancelled(jobId, by), renderCancelAnnouncement(job, by, platform))
      .catch((err: unknown) => log.warn({ err, job_id: jobId }, 'cancel not shown; will retry at catch-up'));
  }
  for (const jobId of state.staleRequestJobs()) {
    await queue
      .run(jobId, async () => {
        await requests.closeAll(jobId);
        await delivery.cards.follow(jobId);
      })
      .catch((err: unknown) => log.warn({ err, job_id: jobId }, 'permission messages not updated'));
  }
}
