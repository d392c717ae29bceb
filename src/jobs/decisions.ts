/**
 * Recording a decision on a permission request, once. The chat buttons, the
 * chat text commands and `hermes jobs decide` all come here.
 */
import { type Clock, isoTime } from '../clock.js';
import { HermesError } from '../errors.js';
import { fromPlain, type JsonObject } from '../protocol/lossless-json.js';
import type { Decision } from '../protocol/schemas.js';
import { signEnvelope } from '../protocol/signing.js';
import { topics } from '../protocol/topics.js';
import { encodeWire } from '../protocol/wire.js';
import { immediate, prepared } from '../store/sqlite.js';
import { type GrantKind, grantRule, markAutoDecided } from './granted-rules.js';
import { type PermissionRequest, permissionRequest } from './queries.js';
import type { JobRegistry } from './registry.js';
import { isTerminalState } from './states.js';

export interface DecisionInput {
  jobId: string;
  requestId: string;
  decision: Decision;
  /** Who decided: `slack:U123`, `discord:456`, `cli:alice`, `hermes:expired`. */
  by: string;
  reason?: string;
  /**
   * `job`: the pre-rules "approve for this job", now a synonym of granting the tool-name rule
   * (`Bash`, `Write`) with the approval.
   */
  scope?: 'request' | 'job';
  /** A rule granted for the rest of the job with this decision (checked with parseRule). */
  grant?: { kind: GrantKind; rule: string };
  /** Made automatically: the granted rules that decided it. */
  autoRules?: readonly string[];
}

export type DecideResult =
  | { outcome: 'decided'; request: PermissionRequest; message: OutgoingDecision }
  | { outcome: 'already'; request: PermissionRequest };

export interface OutgoingDecision {
  topic: string;
  wire: string;
}

export function decide(
  registry: JobRegistry,
  clock: Clock,
  prefix: string,
  input: DecisionInput,
): DecideResult {
  const db = registry.db;
  return immediate(db, (): DecideResult => {
    const job = registry.row(input.jobId);
    if (!job) throw new HermesError('unknown_job', `no job with id ${input.jobId}`);
    const req = permissionRequest(db, input.jobId, input.requestId);
    if (!req) {
      throw new HermesError(
        'unknown_request',
        `job ${input.jobId} has no permission request ${input.requestId}`,
        {
          hint: `see hermes jobs show ${input.jobId}`,
        },
      );
    }
    // An ended job's requests were closed with it: say so plainly rather than "already expired".
    if (isTerminalState(job.status)) {
      const was = req.decided_by ? ` (request ${req.request_id} was ${req.status} by ${req.decided_by})` : '';
      throw new HermesError(
        'after_terminal',
        `job ${job.id} is ${job.status}: its requests are closed and can no longer be decided${was}`,
      );
    }
    if (req.status !== 'pending') return { outcome: 'already', request: req };
    const now = isoTime(clock.now());
    const grant = grantOf(input, req.tool);
    if (grant) {
      // Checked (parseRule) and stored first: a bad rule refuses the whole decision.
      grantRule(db, { jobId: job.id, ...grant, by: input.by, at: now, requestId: req.request_id });
    }
    if (input.autoRules)
      markAutoDecided(
        db,
        job.id,
        req.request_id,
        input.decision === 'approve' ? 'allow' : 'deny',
        input.autoRules,
      );
    const seq = job.decision_seq + 1;
    prepared(db, 'UPDATE jobs SET decision_seq = ? WHERE id = ?').run(seq, job.id);
    const status = input.by === EXPIRED_BY ? 'expired' : input.decision === 'approve' ? 'approved' : 'denied';
    prepared(
      db,
      `UPDATE permission_requests SET status = ?, decided_by = ?, decided_at = ?, reason = ?, decision_seq = ?, approve_scope = ?
       WHERE job_id = ? AND request_id = ?`,
    ).run(status, input.by, now, input.reason ?? null, seq, 'request', job.id, req.request_id);
    const open = (
      prepared(
        db,
        `SELECT COUNT(*) AS n FROM permission_requests WHERE job_id = ? AND status = 'pending'`,
      ).get(job.id) as {
        n: number;
      }
    ).n;
    if (job.status === 'waiting' && open === 0) registry.applyTransition(job, 'running');
    const decided = permissionRequest(db, job.id, req.request_id)!;
    return { outcome: 'decided', request: decided, message: decisionMessage(registry, prefix, decided, now) };
  });
}

/** The rule a decision grants: its own, or for `scope: 'job'` approvals the tool-name rule. */
export function grantOf(input: DecisionInput, tool: string): { kind: GrantKind; rule: string } | undefined {
  if (input.grant) return input.grant;
  return input.scope === 'job' && input.decision === 'approve' ? { kind: 'allow', rule: tool } : undefined;
}

export const EXPIRED_BY = 'hermes:expired';
/**
 * Who closed a request its job outlived (any ending: event, cancel). Not EXPIRED_BY: nobody's
 * deadline passed and no deny was sent; chat shows such a request as closed, not as expired.
 */
export const JOB_ENDED_BY = 'hermes:job-ended';

/** The signed retained message for a decided request (rebuilt identically for republishing). */
export function decisionMessage(
  registry: JobRegistry,
  prefix: string,
  req: PermissionRequest,
  at?: string,
): OutgoingDecision {
  const token = registry.tokenOf(req.job_id);
  const decision: Decision = req.status === 'approved' ? 'approve' : 'deny';
  const env = fromPlain({
    schema_version: 1,
    job_id: req.job_id,
    seq: req.decision_seq ?? 0,
    event: 'decision',
    timestamp: at ?? req.decided_at,
    detail: req.status === 'expired' ? 'expired, denied' : `${decision} by ${req.decided_by}`,
    data: {
      request_id: req.request_id,
      decision,
      decided_by: req.decided_by,
      ...(req.reason ? { reason: req.reason } : {}),
      ...(req.approve_scope === 'job' ? { scope: 'job', tool: req.tool } : {}),
    },
  }) as JsonObject;
  const signed = token === null ? env : signEnvelope(env, token);
  return { topic: topics.decision(prefix, req.job_id, req.request_id), wire: encodeWire(signed) };
}

/** SQL condition: the request's job is still live (an ended job's decisions are cleared, never sent). */
const JOB_LIVE = `job_id IN (SELECT id FROM jobs WHERE status NOT IN ('completed', 'error', 'cancelled'))`;

/** Pending requests of live jobs whose deadline passed, oldest first. */
export function overdueRequests(registry: JobRegistry, now: number): PermissionRequest[] {
  return prepared(
    registry.db,
    `SELECT * FROM permission_requests WHERE status = 'pending' AND expires_at <= ? AND ${JOB_LIVE}
     ORDER BY expires_at`,
  ).all(isoTime(now)) as PermissionRequest[];
}

/**
 * What the partial index permission_requests_unpublished holds (bot migration 4), spelled exactly
 * as there so the query can use it: decided, not acknowledged, and not a closure by the job's end
 * (never published: the job's retained decisions are cleared instead).
 */
export const UNPUBLISHED = `decided_at IS NOT NULL AND published_at IS NULL AND decided_by IS NOT '${JOB_ENDED_BY}'`;

/** Decided requests of live jobs whose retained decision the broker has not acknowledged yet. */
export function unpublishedDecisions(registry: JobRegistry): PermissionRequest[] {
  return prepared(
    registry.db,
    `SELECT * FROM permission_requests INDEXED BY permission_requests_unpublished
      WHERE ${UNPUBLISHED} AND ${JOB_LIVE} ORDER BY decided_at`,
  ).all() as PermissionRequest[];
}

/** Ended jobs whose retained decisions are not known to be cleared yet, oldest ending first. */
export function jobsToClear(registry: JobRegistry, limit: number): string[] {
  return (
    prepared(
      registry.db,
      `SELECT id FROM jobs WHERE status IN ('completed', 'error', 'cancelled') AND decisions_cleared_at IS NULL
       ORDER BY ended_at, id LIMIT ?`,
    ).all(limit) as Array<{ id: string }>
  ).map((r) => r.id);
}

/**
 * The broker acknowledged an empty retained message on every request topic of the ended job: that
 * is the last retained state of each, so a decision never published (recorded while the broker was
 * down, then the job ended) counts as settled and leaves the unpublished index. (Closures by the
 * job's end were never in it and keep published_at NULL: nothing was published for them.)
 */
export function markDecisionsCleared(registry: JobRegistry, jobId: string, at: number): void {
  const db = registry.db;
  immediate(db, () => {
    prepared(db, 'UPDATE jobs SET decisions_cleared_at = ? WHERE id = ?').run(isoTime(at), jobId);
    prepared(db, `UPDATE permission_requests SET published_at = ? WHERE job_id = ? AND ${UNPUBLISHED}`).run(
      isoTime(at),
      jobId,
    );
  });
}

export function markPublished(registry: JobRegistry, jobId: string, requestId: string, at: number): void {
  prepared(
    registry.db,
    'UPDATE permission_requests SET published_at = ? WHERE job_id = ? AND request_id = ?',
  ).run(isoTime(at), jobId, requestId);
}
