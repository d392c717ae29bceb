/**
 * An accepted start result's `data.policy` (the job's static rules as its runner wrote them for the
 * hook) stored for `/hermes rules`. The result is verified and replay-checked already; a policy
 * that does not parse is logged and left out, the result itself still counts (follow-ups.ts).
 */
import { type Clock, isoTime } from '../clock.js';
import { parseStartPolicy, saveJobPolicy } from '../jobs/job-policies.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { RunnerResultEnvelope } from '../protocol/schemas.js';

export function recordStartPolicy(
  d: { registry: JobRegistry; clock: Clock; log: Logger },
  runnerId: string,
  r: RunnerResultEnvelope,
): void {
  const value = (r.data as { policy?: unknown }).policy;
  if (r.data.command !== 'start' || r.data.status !== 'accepted' || value === undefined) return;
  const job = d.registry.get(r.job_id);
  if (!job || job.runner !== runnerId) return; // follow-ups.ts logs it
  const parsed = parseStartPolicy(value);
  if ('error' in parsed) {
    d.log.warn(
      { runner: runnerId, job_id: job.id, err: parsed.error },
      "start result's policy dropped; /hermes rules lists only rules the hook reports",
    );
    return;
  }
  saveJobPolicy(d.registry.db, {
    jobId: job.id,
    runner: runnerId,
    reportedAt: isoTime(d.clock.now()),
    policy: parsed.policy,
  });
}
