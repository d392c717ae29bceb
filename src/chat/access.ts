/**
 * Who may do what in chat, per platform. Registering: the configured users / roles and channels.
 * Deciding, cancelling, peeking: the job's owner and the configured approvers. With nothing
 * configured nobody may register, and adapters refuse to start unless `allowEveryone` is set: an
 * approval bot that fails open is this product class's known failure.
 * A platform's policy only ever covers that platform's jobs: a job registered on another platform
 * (or from the CLI while this platform has no default channel) cannot be seen or acted on here,
 * whoever asks. Every refusal is written to the chat audit log.
 */
import { type Clock, isoTime } from '../clock.js';
import type { Job } from '../jobs/job.js';
import type { AuditSink } from '../relay/audit.js';
import type { Schedule } from '../schedules/schedule-store.js';
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

export type ChatAction = 'register' | 'view' | 'decide' | 'cancel' | 'peek' | 'reply' | 'diff' | 'schedule';

export const ownerOf = (actor: Actor): string => `${actor.platform}:${actor.user}`;

/** Which jobs a core serves: its platform, and where each job lives on it. */
export interface AccessScope {
  platform: string;
  /** The job's channel on this platform; undefined when the job is not this platform's. */
  channelOf(job: Job): string | undefined;
}

/**
 * The channel a job lives in on `platform`: where it was registered (its chat location), and for a
 * job from outside chat (CLI), where its thread was opened here or else the default channel.
 * Undefined when it belongs to another platform, or came from the CLI and there is no default channel.
 */
export function channelOn(
  platform: string,
  job: Pick<Job, 'chat'>,
  threadChannel: string | undefined,
  defaultChannel: string | undefined,
): string | undefined {
  if (job.chat) return job.chat.platform === platform ? job.chat.channel : undefined;
  return threadChannel ?? defaultChannel;
}

export class Access {
  constructor(
    readonly policy: AccessPolicy,
    private readonly audit: AuditSink,
    private readonly clock: Clock,
    private readonly scope: AccessScope,
  ) {}

  /** The job's channel on this platform, or undefined when it is not this platform's job. */
  channelOf(job: Job): string | undefined {
    return this.scope.channelOf(job);
  }

  /** Why the job cannot be seen or acted on from this platform at all; undefined when it can. */
  elsewhere(job: Job): string | undefined {
    if (this.channelOf(job) !== undefined) return undefined;
    return job.chat
      ? `${job.id} belongs to ${job.chat.platform}, not to this chat; use it there`
      : `${job.id} was registered outside chat and this chat has no default channel for such jobs`;
  }

  private here(actor: Actor): boolean {
    return actor.platform === this.scope.platform;
  }

  private hasRole(actor: Actor, roles: readonly string[]): boolean {
    return roles.length > 0 && (actor.roles ?? []).some((r) => roles.includes(r));
  }

  /** An approver of this platform (they may act on any of its jobs). */
  isApprover(actor: Actor): boolean {
    if (!this.here(actor)) return false;
    const p = this.policy;
    if (p.approvers.includes(actor.user) || this.hasRole(actor, p.approverRoles)) return true;
    return p.allowEveryone && p.approvers.length === 0 && p.approverRoles.length === 0;
  }

  mayRegister(actor: Actor, channel: string): boolean {
    if (!this.here(actor)) return false;
    const p = this.policy;
    const byWho = p.registerUsers.length + p.registerRoles.length > 0;
    const byWhere = p.registerChannels.length > 0;
    if (!byWho && !byWhere) return p.allowEveryone;
    const who = !byWho || p.registerUsers.includes(actor.user) || this.hasRole(actor, p.registerRoles);
    const where = !byWhere || p.registerChannels.includes(channel);
    return who && where;
  }

  /** Deciding, cancelling and peeking: on this platform's jobs only, the owner and the approvers. */
  mayAct(actor: Actor, job: Job): boolean {
    if (!this.here(actor) || this.channelOf(job) === undefined) return false;
    return job.owner === ownerOf(actor) || this.isApprover(actor);
  }

  /**
   * Following up on a job (a reply, `done`, a message in its thread): whoever may act on it, and
   * whoever may register jobs in the job's own channel.
   */
  mayReply(actor: Actor, job: Job): boolean {
    const channel = this.channelOf(job);
    if (channel === undefined) return false;
    return this.mayAct(actor, job) || this.mayRegister(actor, channel);
  }

  /** Listing the jobs of a channel, and runners: whoever may register there, and the approvers. */
  mayView(actor: Actor, channel: string): boolean {
    return this.mayRegister(actor, channel) || this.isApprover(actor);
  }

  /**
   * One job's status, asked in channel `from`: its owner and the approvers from anywhere; anyone
   * else only from the job's own channel (or its thread), and only with view rights there. Being
   * allowed in a channel is not being in it: a right that comes from a channel list (or from
   * allow_everyone) holds only where the platform shows the person is.
   */
  mayViewJob(actor: Actor, job: Job, from: string): boolean {
    const channel = this.channelOf(job);
    if (channel === undefined) return false;
    return this.mayAct(actor, job) || (from === channel && this.mayView(actor, channel));
  }

  /** Adding a schedule here: whoever may register jobs here (its runs are their jobs). */
  mayAddSchedule(actor: Actor, channel: string): boolean {
    return this.mayRegister(actor, channel);
  }

  /**
   * Removing, pausing or resuming a schedule of this platform: its creator while they may still
   * register in its channel, and the approvers for anyone's. Schedules added from the CLI or on
   * another platform are changed there.
   */
  mayChangeSchedule(actor: Actor, s: Pick<Schedule, 'owner' | 'chat'>): boolean {
    if (!this.here(actor) || s.chat?.platform !== this.scope.platform) return false;
    if (this.isApprover(actor)) return true;
    return s.owner === ownerOf(actor) && this.mayRegister(actor, s.chat.channel);
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
