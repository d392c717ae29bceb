/**
 * The `diff` command (`/hermes diff <job>`) and the change report at a job's
 * end: both answer the bot with a `result` of command `diff` whose output is
 * the change table. The report is not asked for: it carries command_seq 0 and
 * `report: "job_end"` (or `"turn_end"` when a turn ended and the job waits
 * for a reply), and no request id. Both carry the full patch for the thread's attachment, as
 * far as it fits the message (result-publisher.ts).
 */
import { describeError } from '../../src/errors.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import type { ResultFields } from '../daemon/runner-messages.js';
import { formatChangeTable } from './change-summary.js';
import type { EndReport, JobWorktrees } from './job-worktrees.js';

export async function diffJob(
  cmd: RunnerCommandEnvelope,
  ageMs: number,
  d: { worktrees: Pick<JobWorktrees, 'summary'> | undefined; maxAgeMs: number },
): Promise<ResultFields> {
  const requestId = cmd.data.request_id;
  const r = {
    command: 'diff' as const,
    commandSeq: cmd.seq,
    jobId: cmd.job_id,
    ...(requestId !== undefined ? { requestId } : {}),
  };
  if (ageMs > d.maxAgeMs) return { ...r, status: 'rejected', reason: 'diff request arrived too late' };
  try {
    const s = await d.worktrees?.summary(cmd.job_id, { patch: true });
    if (!s) return { ...r, status: 'rejected', reason: `job ${cmd.job_id} has no worktree on this runner` };
    return { ...r, status: 'done', output: formatChangeTable(s), ...(s.patch ? { patch: s.patch } : {}) };
  } catch (e) {
    return { ...r, status: 'rejected', reason: describeError(e) };
  }
}

export const endReportResult = (
  jobId: string,
  report: EndReport,
  kind: 'job_end' | 'turn_end' = 'job_end',
): ResultFields => ({
  command: 'diff',
  commandSeq: 0,
  jobId,
  status: 'done',
  output: report.text,
  report: kind,
  ...(report.link !== undefined ? { link: report.link } : {}),
  ...(report.summary.patch ? { patch: report.summary.patch } : {}),
});
