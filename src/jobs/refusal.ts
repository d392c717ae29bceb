/**
 * Why a job that ended in error may have ended: its last decided permission request was refused
 * (a person's deny, with their reason, or nobody answering in time). Agents such as the demo stop
 * on a deny with only an exit status; the bot knows who denied what and why, and says so in the
 * job's status reason, its thread and the channel announcement. A later approval means the deny
 * was not the last word, so nothing is said.
 */
import { type Db, prepared } from '../store/sqlite.js';
import { EXPIRED_BY, JOB_ENDED_BY } from './decisions.js';

export interface Refusal {
  tool: string;
  /** `slack:U123`, `cli:alice`; absent when nobody answered in time. */
  by: string | undefined;
  reason: string | undefined;
}

export function lastRefusal(db: Db, jobId: string): Refusal | undefined {
  const r = prepared(
    db,
    `SELECT tool, status, decided_by, reason FROM permission_requests
     WHERE job_id = ? AND decided_at IS NOT NULL AND decided_by IS NOT ?
     ORDER BY decided_at DESC, seq DESC LIMIT 1`,
  ).get(jobId, JOB_ENDED_BY) as
    | { tool: string; status: string; decided_by: string | null; reason: string | null }
    | undefined;
  if (!r || (r.status !== 'denied' && r.status !== 'expired')) return undefined;
  const expired = r.status === 'expired' || r.decided_by === EXPIRED_BY;
  return {
    tool: r.tool,
    by: expired ? undefined : (r.decided_by ?? undefined),
    reason: expired ? undefined : (r.reason ?? undefined),
  };
}

/** `after slack:U1 denied Write: not on a Friday` / `after nobody answered the Write request in time`. */
export function refusalText(r: Refusal): string {
  if (r.by === undefined) return `after nobody answered the ${r.tool} request in time`;
  return `after ${r.by} denied ${r.tool}${r.reason ? `: ${r.reason}` : ''}`;
}

/** An error's status reason: the agent's words, and the refusal before it when there was one. */
export function errorReason(db: Db, jobId: string, detail: string | undefined): string | undefined {
  const r = lastRefusal(db, jobId);
  if (!r) return detail;
  return detail ? `${detail} (${refusalText(r)})` : refusalText(r);
}
