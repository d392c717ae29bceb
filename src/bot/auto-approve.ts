/**
 * Rules granted in chat for a job, applied to each new permission request before a person is
 * asked: one that granted deny rules cover is denied, one that granted allow rules cover (every
 * simple command the hook's static rules left uncovered, and no static ask rule matched) is
 * approved. Each such decision is recorded like a person's (by `hermes:auto:<who granted it>`),
 * audited in chat.ndjson, and counted in the thread. A request nobody's rules decide gets the rule
 * its "Approve <rule> for this job" button grants.
 *
 * The built-in hardline denies are applied too: a granted allow never answers a hardline command
 * (the hook denies those already; `hermes ask` and old agents reach a person instead).
 */
import { homedir } from 'node:os';
import { z } from 'zod';
import { type Clock, isoTime } from '../clock.js';
import type { GrantKind } from '../jobs/granted-rules.js';
import type { JobRegistry } from '../jobs/registry.js';
import { evaluate, type Verdict } from '../policy/evaluate.js';
import { HARDLINE_DENIES } from '../policy/hardline.js';
import type { ToolCall } from '../policy/match.js';
import type { PathContext } from '../policy/paths.js';
import { proposeRule } from '../policy/propose.js';
import type { PolicyRule } from '../policy/rule.js';
import type { AuditRecord } from '../relay/audit.js';

export const AUTO_BY_PREFIX = 'hermes:auto';

/**
 * The chat audit log's file under $HERMES_HOME/audit (src/chat/attach.ts writes people's
 * decisions there as CHAT_AUDIT_FILE): decisions Hermes makes for them belong beside those.
 */
export const DECISION_AUDIT_FILE = 'chat.ndjson';

/** `data.policy` of a permission request from the Claude hook: what the static rules said. */
export const RequestPolicyData = z.looseObject({
  decision: z.literal('ask').optional(),
  reason: z.string().max(2000).optional(),
  /** A static ask rule matched: a person answers, whatever was granted. */
  rule: z.string().max(1000).optional(),
  origin: z.string().max(40).optional(),
  /** The Bash simple commands no static allow rule covers. */
  uncovered: z.array(z.string().max(20_000)).max(500).optional(),
  cwd: z.string().max(4096).optional(),
  home: z.string().max(4096).optional(),
});
export type RequestPolicyData = z.infer<typeof RequestPolicyData>;

export interface GrantJudgement {
  /** Undefined: a person answers. */
  decision: GrantKind | undefined;
  /** The granted rules that decided. */
  rules: PolicyRule[];
  /** Why (for the decision's reason and the audit). */
  reason: string;
  /** The rule the "Approve <rule> for this job" button grants, when one is offered. */
  proposed: string | undefined;
}

/** Where path rules of the request are resolved: the hook's cwd, else the job's. */
export function requestContext(policy: RequestPolicyData | undefined, jobCwd: string | null): PathContext {
  return { cwd: policy?.cwd ?? jobCwd ?? '/', home: policy?.home ?? homedir() };
}

const grantedOnly = (v: Verdict) => v.by.length > 0 && v.by.every((b) => b.origin === 'granted');

/** What the job's granted rules say about one request. Never throws on odd input. */
export function judgeRequest(
  granted: readonly PolicyRule[],
  call: ToolCall,
  policy: RequestPolicyData | undefined,
  ctx: PathContext,
): GrantJudgement {
  const open = policy?.uncovered ? new Set(policy.uncovered) : undefined;
  const opts = open ? { covered: (part: string) => !open.has(part) } : {};
  let v = evaluate({ hardline: HARDLINE_DENIES, rules: granted }, call, ctx, opts);
  const hardline = v.decision === 'deny' && v.by[0]?.origin === 'hardline';
  // A hardline command is never allowed from here, but a granted deny still denies it.
  if (hardline) v = evaluate({ hardline: [], rules: granted }, call, ctx, opts);
  const byOf = (x: Verdict) =>
    granted.filter((r) => x.by.some((b) => b.name === r.rule.raw && b.kind === r.kind));
  if (v.decision === 'deny' && grantedOnly(v))
    return { decision: 'deny', rules: byOf(v), reason: v.reason, proposed: undefined };
  if (!hardline && v.decision === 'allow' && grantedOnly(v) && policy?.rule === undefined)
    return { decision: 'allow', rules: byOf(v), reason: v.reason, proposed: undefined };
  // A static ask rule answers every such call with a person: an allow rule would never be used.
  const proposed =
    policy?.rule !== undefined || hardline
      ? undefined
      : proposeRule(call, ctx, v.uncovered ?? policy?.uncovered);
  return { decision: undefined, rules: [], reason: policy?.reason ?? v.reason, proposed };
}

/** The decision's reason as the agent (and the thread) sees it. */
export function grantReason(j: GrantJudgement): string {
  const names = j.rules.map((r) => `${r.rule.raw} (granted by ${r.granted_by ?? 'unknown'})`).join(', ');
  return `${j.decision === 'deny' ? 'denied' : 'allowed'} by ${names}`.slice(0, 500);
}

/**
 * The chat audit line of an automatic decision, shaped like a person's decision there
 * (src/chat/access.ts record()): the actor is `hermes:auto:<who granted the rule>`, `rules` names
 * the granted rules that decided.
 */
export function autoDecisionRecord(
  registry: JobRegistry,
  clock: Clock,
  d: { jobId: string; requestId: string; tool: string; judgement: GrantJudgement; by: string },
): AuditRecord {
  const job = registry.row(d.jobId);
  return {
    received_at: isoTime(clock.now()),
    topic: 'chat/hermes',
    verdict: 'accepted',
    action: 'decide',
    actor: d.by,
    ...(job?.chat_channel ? { channel: job.chat_channel } : {}),
    job_id: d.jobId,
    request_id: d.requestId,
    decision: d.judgement.decision === 'deny' ? 'deny' : 'approve',
    scope: 'request',
    tool: d.tool,
    rules: d.judgement.rules.map((r) => r.rule.raw),
    granted_by: [...new Set(d.judgement.rules.map((r) => r.granted_by ?? 'unknown'))],
    detail: grantReason(d.judgement),
  };
}
