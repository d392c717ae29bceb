/**
 * Decisions from chat: buttons, the reason modal, and the text commands all end in
 * `decisions.decide` (the code `hermes jobs decide` runs). Whoever is not the job's owner or an
 * approver, or answers from another platform than the job's, is refused privately and audited; a
 * second click is told who was first. The message itself is edited from `onDecided`, which also
 * covers CLI decisions, expiry and standing approvals.
 */
import { isoTime } from '../clock.js';
import { describeError, isHermesError } from '../errors.js';
import { type DecideResult, JOB_ENDED_BY } from '../jobs/decisions.js';
import { requestRules } from '../jobs/granted-rules.js';
import type { Job } from '../jobs/job.js';
import { type PermissionRequest, permissionRequest } from '../jobs/queries.js';
import { isTerminalState } from '../jobs/states.js';
import { ownerOf } from './access.js';
import type { ChatDeps } from './deps.js';
import type { JobCards } from './job-cards.js';
import { message, section, text, time } from './message.js';
import type { ActionInput, ChatMessage, Interaction, ReasonInput } from './port.js';
import { statusWords } from './render/job-card.js';
import { who } from './render/people.js';
import { parseRequestKey, proposedRule, requestKey } from './render/permission.js';
import type { RequestMessages } from './request-messages.js';

export const REASON_MAX_CHARS = 500;

export interface DecisionRequest {
  jobId: string;
  requestId: string;
  decision: 'approve' | 'deny';
  reason?: string;
  /** A rule granted for the rest of the job with the decision. */
  grant?: { kind: 'allow' | 'deny'; rule: string };
}

const say = (t: string): ChatMessage => message(t, section(text(t)));

export class DecisionFlow {
  constructor(
    private readonly deps: ChatDeps,
    private readonly requests: RequestMessages,
    private readonly cards: JobCards,
  ) {}

  /** Listener for DecisionService.onDecided: edit the request's message in place, then the card (running again). */
  decided(result: Extract<DecideResult, { outcome: 'decided' }>): void {
    const { job_id: jobId, request_id: requestId } = result.request;
    this.deps.queue
      .run(jobId, async () => {
        await this.requests.refresh(jobId, requestId);
        await this.cards.follow(jobId);
      })
      .catch((err: unknown) =>
        this.deps.log.warn({ err, job_id: jobId, request_id: requestId }, 'permission message not updated'),
      );
  }

  async handleAction(input: ActionInput): Promise<void> {
    const key = parseRequestKey(input.value);
    const found = key && this.lookup(key.jobId, key.requestId);
    if (!found) {
      await input.reply(say('This button belongs to a request Hermes does not know (any more).'));
      return;
    }
    const { job, req } = found;
    if (!this.allowed(input, job, req.request_id)) {
      await this.refuse(input, job);
      return;
    }
    if (req.status !== 'pending' || isTerminalState(job.status)) {
      await this.tellAlready(input, job, req, input.action === 'deny' ? 'deny' : 'approve');
      return;
    }
    if (input.action === 'deny' && input.openReasonPrompt) {
      await input.openReasonPrompt({
        title: 'Deny the request',
        label: 'Reason (optional; the agent receives it)',
        submitLabel: 'Deny',
        placeholder: 'Why not?',
        maxLength: REASON_MAX_CHARS,
        token: requestKey(job.id, req.request_id),
      });
      return;
    }
    let grant: DecisionRequest['grant'];
    if (input.action === 'approve_job') {
      const rule = proposedRule(req, requestRules(this.deps.registry.db, job.id, req.request_id));
      if (!rule) {
        await input.reply(
          say(
            `No rule is offered for ${req.request_id}; approve it alone, or grant one: /hermes approve ${job.id} ${req.request_id} --rule '…'`,
          ),
        );
        return;
      }
      grant = { kind: 'allow', rule };
    }
    await this.decide(input, {
      jobId: job.id,
      requestId: req.request_id,
      decision: input.action === 'deny' ? 'deny' : 'approve',
      ...(grant ? { grant } : {}),
    });
  }

  async handleReasonSubmitted(input: ReasonInput): Promise<void> {
    const key = parseRequestKey(input.token);
    const found = key && this.lookup(key.jobId, key.requestId);
    if (!found) {
      await input.reply(say('That request is not known (any more); nothing was decided.'));
      return;
    }
    if (!this.allowed(input, found.job, found.req.request_id)) {
      await this.refuse(input, found.job);
      return;
    }
    // The job may have ended (or someone else decided) while the reason form was open.
    if (found.req.status !== 'pending' || isTerminalState(found.job.status)) {
      await this.tellAlready(input, found.job, found.req, 'deny');
      return;
    }
    const reason = input.reason.trim().slice(0, REASON_MAX_CHARS);
    await this.decide(input, {
      jobId: found.job.id,
      requestId: found.req.request_id,
      decision: 'deny',
      ...(reason ? { reason } : {}),
    });
  }

  /**
   * Decides for an actor already checked to be allowed; tells them privately if someone was first.
   * True when this answer is the one recorded.
   */
  async decide(input: Interaction, d: DecisionRequest): Promise<boolean> {
    const { decisions, access } = this.deps;
    let result: DecideResult;
    try {
      result = await decisions.decide({ ...d, by: ownerOf(input.actor) });
    } catch (e) {
      if (isHermesError(e, 'unknown_job') || isHermesError(e, 'unknown_request')) {
        await input.reply(say(e.message));
        return false;
      }
      // A rule that does not parse: parseRule's message says what is wrong; nothing was decided.
      if (isHermesError(e, 'usage')) {
        await input.reply(say(`${describeError(e)}. Nothing was decided.`));
        return false;
      }
      // The job ended (a text command naming an ended job, or a click racing the job's end).
      if (isHermesError(e, 'after_terminal')) {
        const found = this.lookup(d.jobId, d.requestId);
        if (found) await this.tellAlready(input, found.job, found.req, d.decision);
        else await input.reply(say(`Too late: ${e.message}. Your answer was not recorded.`));
        return false;
      }
      throw e;
    }
    if (result.outcome === 'already') {
      const job = this.deps.registry.require(d.jobId);
      await this.tellAlready(input, job, result.request, d.decision);
      return false;
    }
    access.record('accepted', 'decide', input.actor, input.channel, {
      jobId: d.jobId,
      requestId: d.requestId,
      decision: d.decision,
      scope: 'request',
      ...(d.grant ? { detail: `granted ${d.grant.kind} rule ${d.grant.rule}`.slice(0, 500) } : {}),
    });
    return true;
  }

  /** Checks and audits; true when the actor may decide on the job's requests (a job of this platform). */
  allowed(input: Interaction, job: Job, requestId?: string): boolean {
    const { access } = this.deps;
    if (access.mayAct(input.actor, job)) return true;
    access.record('refused', 'decide', input.actor, input.channel, {
      jobId: job.id,
      ...(requestId ? { requestId } : {}),
      ...(access.elsewhere(job) ? { detail: 'not a job of this platform' } : {}),
    });
    return false;
  }

  async refuse(input: Interaction, job: Job): Promise<void> {
    const away = this.deps.access.elsewhere(job);
    const t = away
      ? `Not allowed: ${away}. Nothing was decided.`
      : `You may not answer requests of ${job.id}: only its owner and the configured approvers may. Nothing was decided.`;
    await input.reply(say(t));
  }

  private lookup(jobId: string, requestId: string): { job: Job; req: PermissionRequest } | undefined {
    const job = this.deps.registry.get(jobId);
    const req = job && permissionRequest(this.deps.registry.db, jobId, requestId);
    return job && req ? { job, req } : undefined;
  }

  /**
   * Tells the person privately that the request is closed. A job that ended refuses every
   * answer: that refusal is audited (reason `after_terminal`); a request someone else decided
   * first is not a refusal of this person, so it is only answered.
   */
  private async tellAlready(
    input: Interaction,
    job: Job,
    req: PermissionRequest,
    decision: 'approve' | 'deny',
  ): Promise<void> {
    const { platform, audit, clock } = this.deps;
    if (isTerminalState(job.status)) {
      audit.write({
        received_at: isoTime(clock.now()),
        topic: `chat/${platform}`,
        verdict: 'dropped',
        reason: 'after_terminal',
        action: 'decide',
        actor: ownerOf(input.actor),
        channel: input.channel,
        job_id: job.id,
        request_id: req.request_id,
        decision,
        detail: `job ${job.id} is ${job.status}: its requests are closed (request ${req.request_id} is ${req.status})`,
      });
    }
    // Closed because its job ended (JOB_ENDED_BY): nobody decided it, so say the job ended.
    const m =
      req.status === 'pending' || req.decided_by === JOB_ENDED_BY
        ? message(
            `${job.id} is ${job.status}`,
            section(
              text(
                `Too late: job ${job.id} is over (${statusWords(job.status)}), so its requests are closed. Your answer was not recorded.`,
              ),
            ),
          )
        : message(
            `Already ${req.status}`,
            section(
              text(`Already ${req.status}`),
              ...(req.decided_by ? [text(' by '), ...who(req.decided_by, platform)] : []),
              ...(req.decided_at ? [text(' at '), time(req.decided_at)] : []),
              text('. Your answer was not recorded.'),
            ),
          );
    await input.reply(m);
    // An old message may still show buttons (edited while we were down): fix it.
    this.deps.queue.run(job.id, () => this.requests.refresh(job.id, req.request_id)).catch(() => undefined);
  }
}
