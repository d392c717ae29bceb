/**
 * Permission request messages: posted at once, edited in place when the request is decided,
 * expires or its job ends, and reminded about once. Callers run these inside the job's queue.
 */
import { isoTime } from '../clock.js';
import { grantsOnRequest, requestRules } from '../jobs/granted-rules.js';
import { type PermissionRequest, permissionRequest } from '../jobs/queries.js';
import { isTerminalState } from '../jobs/states.js';
import type { JobThread } from './chat-state.js';
import type { ChatDeps } from './deps.js';
import { renderPermission, renderReminder } from './render/permission.js';

export class RequestMessages {
  private readonly reminding = new Set<string>();

  constructor(private readonly deps: ChatDeps) {}

  private render(req: PermissionRequest) {
    const { registry, platform, access, settings } = this.deps;
    const job = registry.require(req.job_id);
    const limits = { detailChars: settings.maxTextChars, inputChars: settings.inputChars };
    const rules = {
      request: requestRules(registry.db, req.job_id, req.request_id),
      grants: grantsOnRequest(registry.db, req.job_id, req.request_id),
    };
    return { job, content: renderPermission(req, job, platform, access.policy, limits, rules) };
  }

  /** Posts the request's message unless it is already there. */
  async post(thread: JobThread, jobId: string, requestId: string): Promise<void> {
    const { state, port, pacer, registry } = this.deps;
    if (state.requestMessage(jobId, requestId)) return;
    const req = permissionRequest(registry.db, jobId, requestId);
    if (!req) throw new Error(`job ${jobId} has no permission request ${requestId}`);
    const { job, content } = this.render(req);
    pacer.spend(thread.thread.channel);
    const ref = await port.postInThread(thread.thread, content);
    state.saveRequestMessage(jobId, requestId, ref);
    if (req.status !== 'pending' || isTerminalState(job.status)) state.markRequestFinal(jobId, requestId);
  }

  /** Edits the message to the request's current state; once it shows an outcome it is left alone. */
  async refresh(jobId: string, requestId: string): Promise<void> {
    const { state, port, registry, pacer } = this.deps;
    const posted = state.requestMessage(jobId, requestId);
    if (!posted || posted.finalAt) return;
    const req = permissionRequest(registry.db, jobId, requestId);
    if (!req) return;
    const { job, content } = this.render(req);
    const open = req.status === 'pending' && !isTerminalState(job.status);
    if (open) return;
    // An edit is a call against the channel's rate limit like a post: progress edits make room.
    pacer.spend(posted.message.channel);
    await port.edit(posted.message, content);
    state.markRequestFinal(jobId, requestId);
  }

  /** After a job ended: close every message of it that still shows buttons. */
  async closeAll(jobId: string): Promise<void> {
    for (const m of this.deps.state.requestMessagesOf(jobId)) {
      if (m.finalAt) continue;
      try {
        await this.refresh(jobId, m.requestId);
      } catch (err) {
        this.deps.log.warn(
          { err, job_id: jobId, request_id: m.requestId },
          'could not close a permission message',
        );
      }
    }
  }

  /** One reminder per request pending longer than the reminder period. */
  async remindDue(): Promise<void> {
    const { settings, state, clock, queue, log } = this.deps;
    if (settings.reminderMs <= 0) return;
    const due = state.dueReminders(isoTime(clock.now() - settings.reminderMs));
    await Promise.all(
      due.map((m) => {
        const key = `${m.jobId} ${m.requestId}`;
        if (this.reminding.has(key)) return undefined;
        this.reminding.add(key);
        return queue
          .run(m.jobId, () => this.remind(m.jobId, m.requestId))
          .catch((err: unknown) =>
            log.warn({ err, job_id: m.jobId, request_id: m.requestId }, 'reminder not posted; will retry'),
          )
          .finally(() => this.reminding.delete(key));
      }),
    );
  }

  private async remind(jobId: string, requestId: string): Promise<void> {
    const { state, port, registry, platform, access, pacer } = this.deps;
    const posted = state.requestMessage(jobId, requestId);
    const thread = state.thread(jobId);
    const req = permissionRequest(registry.db, jobId, requestId);
    if (!posted || posted.remindedAt || posted.finalAt || !thread || req?.status !== 'pending') return;
    const job = registry.require(jobId);
    if (isTerminalState(job.status)) return;
    pacer.spend(thread.thread.channel);
    await port.postInThread(thread.thread, renderReminder(req, job, platform, access.policy));
    state.markReminded(jobId, requestId);
  }
}
