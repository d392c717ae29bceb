/** Read-only views of a job's events and permission requests. */
import type { Db } from '../store/sqlite.js';
import { prepared } from '../store/sqlite.js';

export interface StoredEvent {
  seq: number;
  event: string;
  timestamp: string;
  received_at: string;
  detail: string | null;
  verified: boolean;
  wire: string;
}

export interface PermissionRequest {
  job_id: string;
  request_id: string;
  seq: number;
  tool: string;
  input: string;
  detail: string | null;
  requested_at: string;
  expires_at: string | null;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  published_at: string | null;
  decision_seq: number | null;
  approve_scope: 'request' | 'job' | null;
}

export function eventsOf(db: Db, jobId: string): StoredEvent[] {
  return (
    prepared(
      db,
      'SELECT seq, event, timestamp, received_at, detail, verified, wire FROM events WHERE job_id = ? ORDER BY seq',
    ).all(jobId) as Array<Omit<StoredEvent, 'verified'> & { verified: number }>
  ).map((r) => ({ ...r, verified: r.verified === 1 }));
}

export function permissionRequestsOf(
  db: Db,
  jobId: string,
  status?: PermissionRequest['status'],
): PermissionRequest[] {
  return status
    ? (prepared(db, 'SELECT * FROM permission_requests WHERE job_id = ? AND status = ? ORDER BY seq').all(
        jobId,
        status,
      ) as PermissionRequest[])
    : (prepared(db, 'SELECT * FROM permission_requests WHERE job_id = ? ORDER BY seq').all(
        jobId,
      ) as PermissionRequest[]);
}

export function permissionRequest(db: Db, jobId: string, requestId: string): PermissionRequest | undefined {
  return prepared(db, 'SELECT * FROM permission_requests WHERE job_id = ? AND request_id = ?').get(
    jobId,
    requestId,
  ) as PermissionRequest | undefined;
}
