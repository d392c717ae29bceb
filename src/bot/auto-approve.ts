/**
 * "Approve for this job": once a person approves a tool with job scope, later
 * requests for the same tool in that job are approved without asking. Each
 * such approval is its own recorded, audited decision naming who allowed it.
 */
import type { PermissionRequest } from '../jobs/queries.js';
import type { JobRegistry } from '../jobs/registry.js';
import { prepared } from '../store/sqlite.js';

export const AUTO_BY_PREFIX = 'hermes:auto';

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
