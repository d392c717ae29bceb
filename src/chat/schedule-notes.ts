/**
 * Posts what happens to a schedule into its thread (the thread of the schedule's message, opened
 * by `/hermes schedule add`): each run, and above all a run an overlap policy skipped or queued,
 * which would otherwise go unnoticed. A run that registered a job also gets that job's card posted
 * at once (it is in the schedule's channel, owned by its creator), not at the job's first event.
 * Schedules of another platform, or added from the CLI (no channel), are not this core's.
 * Before each run, `ownerMayStillRun` answers whether the owner may still register in the channel.
 */
import type { RunOutcome } from '../schedules/schedule-service.js';
import type { Schedule } from '../schedules/schedule-store.js';
import type { ChatDeps } from './deps.js';
import type { EventDelivery } from './event-delivery.js';
import type { ChatMessage } from './port.js';
import { renderRunOutcome } from './render/schedule.js';

/**
 * The owner's right to register in the schedule's channel, checked again at a run (the policy may
 * have changed since `schedule add`). Outside an interaction the bot does not know a person's
 * roles, so roles are taken as kept: losing a role is not noticed here, but leaving the user list,
 * a channel leaving the channel list, or allow_everyone being turned off is. A refusal is audited.
 */
export function ownerMayStillRun(deps: ChatDeps, s: Schedule): boolean {
  if (s.chat?.platform !== deps.platform) return true;
  const { access } = deps;
  const sep = s.owner.indexOf(':');
  const actor = {
    platform: s.owner.slice(0, sep),
    user: s.owner.slice(sep + 1),
    roles: access.policy.registerRoles,
  };
  if (sep > 0 && access.mayRegister(actor, s.chat.channel)) return true;
  access.record('refused', 'schedule', actor, s.chat.channel, {
    detail: `run of ${s.id}: owner may no longer register here; paused`,
  });
  return false;
}

const key = (s: Schedule) => `schedule:${s.id}`;

async function post(deps: ChatDeps, s: Schedule, content: ChatMessage): Promise<void> {
  const channel = s.chat?.channel;
  if (!channel || s.chat?.platform !== deps.platform) return;
  deps.pacer.spend(channel);
  if (s.thread) await deps.port.postInThread(s.thread, content);
  else await deps.port.announce(channel, content);
}

/** In the schedule's thread (in order, through its queue); without one (its message could not be posted), in its channel. */
export function noteInSchedule(deps: ChatDeps, s: Schedule, content: ChatMessage): Promise<void> {
  return deps.queue.run(key(s), () => post(deps, s, content));
}

export async function scheduleOutcome(
  deps: ChatDeps,
  delivery: EventDelivery,
  s: Schedule,
  r: RunOutcome,
): Promise<void> {
  if (s.chat?.platform !== deps.platform) return;
  try {
    // One queue per schedule keeps its thread in the order of its runs.
    await deps.queue.run(key(s), async () => {
      if (r.outcome === 'registered' && r.jobId) await delivery.showRegistered(r.jobId);
      await post(deps, s, renderRunOutcome(s, r));
    });
  } catch (err) {
    deps.log.warn({ err, schedule: s.id, outcome: r.outcome }, 'schedule run not told in chat');
  }
}
