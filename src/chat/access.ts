/**
 * Who may do what in chat, per platform. Registering: the configured users / roles and channels.
 * Deciding, cancelling, peeking: the job's owner and the configured approvers. With nothing
 * configured nobody may register, and adapters refuse to start unless `allowEveryone` is set: an
 * approval bot that fails open is this product class's known failure.
 * Every refusal is written to the chat audit log.
 */
import { type Clock, isoTime } from '../clock.js';
import type { Job } from '../jobs/job.js';
import type { AuditSink } from '../relay/audit.js';
import type { Actor } from './port.js';

export interface AccessPolicy {
  /** Explicit opt-in: anyone may register when no register list is set, anyone may decide when no approver list is set. */
  allowEveryone: boolean;
  registerUsers: readonly string[];
  registerRoles: readonly string[];
  registerChannels: readonly string[];
  approvers: readonly string[];
  approverRoles: readonly string[];
}

export const emptyPolicy: AccessPolicy = {
  allowEveryone: false,
  registerUsers: [],
  registerRoles: [],
  registerChannels: [],
  approvers: [],
  approverRoles: [],
};

/** True when the policy lets nobody register: an adapter with such a policy must not start. */
export function nobodyMayRegister(p: AccessPolicy): boolean {
  return (
    !p.allowEveryone && p.registerUsers.length + p.registerRoles.length + p.registerChannels.length === 0
  );
}

export type ChatAction = 'register' | 'view' | 'decide' | 'cancel' | 'peek';

export const ownerOf = (actor: Actor): string => `${actor.platform}:${actor.user}`;

export class Access {
  constructor(
    readonly policy: AccessPolicy,
    private readonly audit: AuditSink,
    private readonly clock: Clock,
  ) {}

  private hasRole(actor: Actor, roles: readonly string[]): boolean {
    return roles.length > 0 && (actor.roles ?? []).some((r) => roles.includes(r));
  }

  isApprover(actor: Actor): boolean {
    const p = this.policy;
    if (p.approvers.includes(actor.user) || this.hasRole(actor, p.approverRoles)) return true;
    return p.allowEveryone && p.approvers.length === 0 && p.approverRoles.length === 0;
  }

  mayRegister(actor: Actor, channel: string): boolean {
    const p = this.policy;
    const byWho = p.registerUsers.length + p.registerRoles.length > 0;
    const byWhere = p.registerChannels.length > 0;
    if (!byWho && !byWhere) return p.allowEveryone;
    const who = !byWho || p.registerUsers.includes(actor.user) || this.hasRole(actor, p.registerRoles);
    const where = !byWhere || p.registerChannels.includes(channel);
    return who && where;
  }

  /** Deciding, cancelling and peeking: the owner and the approvers. */
  mayAct(actor: Actor, job: Job): boolean {
    return job.owner === ownerOf(actor) || this.isApprover(actor);
  }

  /** Listing jobs, runners and status: whoever may register here, and the approvers. */
  mayView(actor: Actor, channel: string): boolean {
    return this.mayRegister(actor, channel) || this.isApprover(actor);
  }

  /** Writes one line to the chat audit log. */
  record(
    verdict: 'accepted' | 'refused',
    action: ChatAction,
    actor: Actor,
    channel: string,
    extra: { jobId?: string; requestId?: string; decision?: string; scope?: string; detail?: string } = {},
  ): void {
    this.audit.write({
      received_at: isoTime(this.clock.now()),
      topic: `chat/${actor.platform}`,
      verdict: verdict === 'accepted' ? 'accepted' : 'dropped',
      ...(verdict === 'refused' ? { reason: 'forbidden' } : {}),
      action,
      actor: ownerOf(actor),
      channel,
      ...(extra.jobId ? { job_id: extra.jobId } : {}),
      ...(extra.requestId ? { request_id: extra.requestId } : {}),
      ...(extra.decision ? { decision: extra.decision } : {}),
      ...(extra.scope ? { scope: extra.scope } : {}),
      ...(extra.detail ? { detail: extra.detail.slice(0, 500) } : {}),
    });
  }
}
