/**
 * A job's static approval rules (hardline, bot, profile) as its runner reported them with the
 * accepted start (`data.policy`, checked by StartPolicyData). Every statement on `job_policies`
 * (bot migration 10) is here. The first report of a job is kept: a start sent again is refused by
 * the runner and carries none.
 */
import { StartPolicyData } from '../protocol/schemas.js';
import { type Db, prepared } from '../store/sqlite.js';

export interface JobPolicyReport {
  jobId: string;
  runner: string;
  reportedAt: string;
  policy: StartPolicyData;
}

/** Checks what a start result carried: the policy, or why StartPolicyData refuses it. */
export function parseStartPolicy(value: unknown): { policy: StartPolicyData } | { error: string } {
  const r = StartPolicyData.safeParse(value);
  if (r.success) return { policy: r.data };
  return {
    error: r.error.issues
      .slice(0, 3)
      .map((i) => `${['policy', ...i.path].join('.')}: ${i.message}`)
      .join('; '),
  };
}

/** Stores the job's report unless one is stored already; returns whether this one was stored. */
export function saveJobPolicy(db: Db, r: JobPolicyReport): boolean {
  const res = prepared(
    db,
    `INSERT INTO job_policies (job_id, runner, reported_at, policy) VALUES (?, ?, ?, ?)
     ON CONFLICT (job_id) DO NOTHING`,
  ).run(r.jobId, r.runner, r.reportedAt, JSON.stringify(r.policy));
  return res.changes === 1;
}

/** The job's reported rules; undefined when none was reported (or the stored JSON is unreadable). */
export function jobPolicyOf(db: Db, jobId: string): JobPolicyReport | undefined {
  const row = prepared(db, 'SELECT * FROM job_policies WHERE job_id = ?').get(jobId) as
    | { job_id: string; runner: string; reported_at: string; policy: string }
    | undefined;
  if (!row) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(row.policy);
  } catch {
    return undefined;
  }
  const parsed = parseStartPolicy(value);
  if ('error' in parsed) return undefined;
  return { jobId: row.job_id, runner: row.runner, reportedAt: row.reported_at, policy: parsed.policy };
}
