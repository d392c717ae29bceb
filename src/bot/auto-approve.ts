/**
 * "Approve for this job": once a person approves a tool with job scope, later
 * requests for the same tool in that job are approved without asking. Each
 * such approval is its own recorded, audited decision naming who allowed it.
 */
import { type Clock, isoTime } from '../clock.js';
import type { PermissionRequest } from '../jobs/queries.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { AuditRecord } from '../relay/audit.js';
import { prepared } from '../store/sqlite.js';

export const AUTO_BY_PREFIX = 'hermes:auto';

/**
 * The chat audit log's file under $HERMES_HOME/audit (src/chat/attach.ts writes people's
 * decisions there as CHAT_AUDIT_FILE): decisions Hermes makes for them belong beside those.
 */
export const DECISION_AUDIT_FILE = 'chat.ndjson';

export function standingApproval(
  registry: JobRegistry,
  jobId: string,
  tool: string,
  requestId: string,
): PermissionRequest | undefined {
  return prepared(
    registry.db,
    `SELECT * FROM permission_requests
       WHERE job_id = ? AND tool = ? AND request_id != ? AND status = 'approved' AND approve_scope = 'job'
       ORDER BY decided_at LIMIT 1`,
  ).get(jobId, tool, requestId) as PermissionRequest | undefined;
}

/**
 * The chat audit line of an automatic approval, shaped like a person's decision there
 * (src/chat/access.ts record()): the actor is `hermes:auto:<who allowed it>`, and
 * `standing_request_id` names the job-scope approval it stands on.
 */
export function autoApprovalRecord(
  registry: JobRegistry,
  clock: Clock,
  decided: PermissionRequest,
  standing: PermissionRequest,
): AuditRecord {
  const job = registry.row(decided.job_id);
  return {
    received_at: isoTime(clock.now()),
    topic: 'chat/hermes',
    verdict: 'accepted',
    action: 'decide',
    actor: `${AUTO_BY_PREFIX}:${standing.decided_by}`,
    ...(job?.chat_channel ? { channel: job.chat_channel } : {}),
    job_id: decided.job_id,
    request_id: decided.request_id,
    decision: 'approve',
    scope: 'request',
    tool: decided.tool,
    standing_request_id: standing.request_id,
    detail: `${decided.tool} approved for this job by ${standing.decided_by}`.slice(0, 500),
  };
}
