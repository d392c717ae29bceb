/**
 * Applies a job's granted rules (auto-approve.ts) to its permission requests: each new request as
 * it arrives, and the job's other open requests again right after a person granted a rule (a rule
 * granted on one request may answer its waiting siblings).
 */
import type { Clock } from '../clock.js';
import { isHermesError } from '../errors.js';
import { grantedPolicyRules, grantedRulesOf, saveRequestRules } from '../jobs/granted-rules.js';
import { type PermissionRequest, permissionRequest, permissionRequestsOf } from '../jobs/queries.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { AuditSink } from '../relay/audit.js';
import {
  AUTO_BY_PREFIX,
  autoDecisionRecord,
  grantReason,
  judgeRequest,
  RequestPolicyData,
  requestContext,
} from './auto-approve.js';
import type { DecisionService } from './decision-service.js';

export class GrantedApprovals {
  constructor(
    private readonly deps: {
      registry: JobRegistry;
      decisions: DecisionService;
      clock: Clock;
      log: Logger;
      decisionAudit?: AuditSink;
    },
  ) {}

  /** A permission request just accepted: decide it from the granted rules, or note its proposal. */
  async request(jobId: string, requestId: string, policyData: unknown): Promise<void> {
    const { registry, log } = this.deps;
    const req = permissionRequest(registry.db, jobId, requestId);
    if (req?.status !== 'pending') return;
    let policy: RequestPolicyData | undefined;
    if (policyData !== undefined) {
      const parsed = RequestPolicyData.safeParse(policyData);
      if (parsed.success) policy = parsed.data;
      else
        log.warn(
          { job_id: jobId, request_id: requestId, issues: parsed.error.issues.slice(0, 3) },
          'data.policy of a permission request ignored: malformed',
        );
    }
    await this.judge(req, policy);
  }

  /** After a grant: the job's other open requests, judged again (their hook data kept). */
  async regrade(jobId: string): Promise<void> {
    const { registry } = this.deps;
    for (const req of permissionRequestsOf(registry.db, jobId, 'pending')) {
      await this.judge(req, this.storedPolicy(req));
    }
  }

  private storedPolicy(req: PermissionRequest): RequestPolicyData | undefined {
    const row = this.deps.registry.db
      .prepare('SELECT wire FROM events WHERE job_id = ? AND seq = ?')
      .get(req.job_id, req.seq) as { wire: string } | undefined;
    if (!row) return undefined;
    try {
      const data = (JSON.parse(row.wire) as { data?: { policy?: unknown } }).data?.policy;
      const parsed = RequestPolicyData.safeParse(data);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private async judge(req: PermissionRequest, policy: RequestPolicyData | undefined): Promise<void> {
    const { registry, decisions, clock, log, decisionAudit } = this.deps;
    const job = registry.row(req.job_id);
    if (!job) return;
    let input: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(req.input);
      if (v && typeof v === 'object' && !Array.isArray(v)) input = v as Record<string, unknown>;
    } catch {
      // Not JSON: nothing a rule can read; a person answers.
    }
    const granted = grantedPolicyRules(grantedRulesOf(registry.db, req.job_id));
    const call = { tool: req.tool, input };
    const j = judgeRequest(granted, call, policy, requestContext(policy, job.cwd));
    saveRequestRules(registry.db, {
      jobId: req.job_id,
      requestId: req.request_id,
      ...(j.proposed ? { proposed: j.proposed } : {}),
      ...(policy?.rule ? { askRule: policy.rule } : {}),
      ...(policy?.reason ? { reason: policy.reason } : {}),
    });
    if (!j.decision) return;
    const by = `${AUTO_BY_PREFIX}:${j.rules[0]?.granted_by ?? 'unknown'}`;
    try {
      const r = await decisions.decide({
        jobId: req.job_id,
        requestId: req.request_id,
        decision: j.decision === 'allow' ? 'approve' : 'deny',
        by,
        reason: grantReason(j),
        autoRules: j.rules.map((x) => x.rule.raw),
      });
      if (r.outcome === 'decided')
        decisionAudit?.write(
          autoDecisionRecord(registry, clock, {
            jobId: req.job_id,
            requestId: req.request_id,
            tool: req.tool,
            judgement: j,
            by,
          }),
        );
    } catch (err) {
      // The job ended (a cancel) before the decision: nothing to decide any more.
      if (!isHermesError(err, 'after_terminal')) throw err;
      log.info(
        { job_id: req.job_id, request_id: req.request_id, reason: err.message },
        'automatic decision not made',
      );
    }
  }
}
