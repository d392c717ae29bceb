/**
 * Rules granted in chat (or with `hermes jobs decide --rule`) for one job, and what the bot worked
 * out per permission request from the rules. Every statement that writes `granted_rules` or
 * `request_rules` (bot migration 5) is here.
 *
 * A request decided "for this job" before granted rules existed (approve_scope `job`) still counts:
 * it reads as a granted bare-tool rule (`Bash`, `Write`), allowed by whoever decided it.
 */
import { type PolicyRule, parseRule } from '../policy/rule.js';
import { type Db, prepared } from '../store/sqlite.js';

export type GrantKind = 'allow' | 'deny';

export interface GrantedRule {
  job_id: string;
  kind: GrantKind;
  rule: string;
  granted_by: string;
  granted_at: string;
  /** The request it was granted on; null for a grant on its own. */
  request_id: string | null;
  /** True for a pre-rules "approve for this job" decision read as a bare-tool rule. */
  legacy?: boolean;
}

export interface Grant {
  jobId: string;
  kind: GrantKind;
  /** A rule as written; checked with parseRule before it is stored. */
  rule: string;
  by: string;
  at: string;
  requestId?: string;
}

/**
 * Stores a grant (the rule parsed first: a bad rule throws parseRule's usage error). The same rule
 * granted again keeps its first grant. Returns the stored row.
 */
export function grantRule(db: Db, g: Grant): GrantedRule {
  const rule = parseRule(g.rule).raw;
  prepared(
    db,
    `INSERT INTO granted_rules (job_id, kind, rule, granted_by, granted_at, request_id)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, kind, rule) DO NOTHING`,
  ).run(g.jobId, g.kind, rule, g.by, g.at, g.requestId ?? null);
  return prepared(db, 'SELECT * FROM granted_rules WHERE job_id = ? AND kind = ? AND rule = ?').get(
    g.jobId,
    g.kind,
    rule,
  ) as GrantedRule;
}

/** The job's granted rules, oldest first, the pre-rules job-scope approvals among them. */
export function grantedRulesOf(db: Db, jobId: string): GrantedRule[] {
  const rows = prepared(db, 'SELECT * FROM granted_rules WHERE job_id = ? ORDER BY granted_at, rule').all(
    jobId,
  ) as GrantedRule[];
  const legacy = prepared(
    db,
    `SELECT tool, decided_by, decided_at, request_id FROM permission_requests
      WHERE job_id = ? AND status = 'approved' AND approve_scope = 'job' ORDER BY decided_at`,
  ).all(jobId) as Array<{ tool: string; decided_by: string; decided_at: string; request_id: string }>;
  for (const l of legacy) {
    if (rows.some((r) => r.kind === 'allow' && r.rule === l.tool)) continue;
    rows.push({
      job_id: jobId,
      kind: 'allow',
      rule: l.tool,
      granted_by: l.decided_by,
      granted_at: l.decided_at,
      request_id: l.request_id,
      legacy: true,
    });
  }
  return rows;
}

/** Granted rules as policy rules (origin `granted`); a stored rule that no longer parses is left out. */
export function grantedPolicyRules(rows: readonly GrantedRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const r of rows) {
    let rule: ReturnType<typeof parseRule>;
    try {
      rule = parseRule(r.rule);
    } catch {
      continue;
    }
    out.push({ rule, kind: r.kind, origin: 'granted', granted_by: r.granted_by, granted_at: r.granted_at });
  }
  return out;
}

export interface RequestRules {
  job_id: string;
  request_id: string;
  /** What "Approve <rule> for this job" grants; null: no rule is offered. */
  proposed_rule: string | null;
  /** The static ask rule the hook matched: a person answers every such call. */
  ask_rule: string | null;
  /** Why nothing decided it automatically, as the hook (or the bot) put it. */
  reason: string | null;
  auto_decision: GrantKind | null;
  /** JSON array of the granted rules that decided it automatically. */
  auto_rules: string | null;
}

export function requestRules(db: Db, jobId: string, requestId: string): RequestRules | undefined {
  return prepared(db, 'SELECT * FROM request_rules WHERE job_id = ? AND request_id = ?').get(
    jobId,
    requestId,
  ) as RequestRules | undefined;
}

/** What the bot made of a new request (written once, before anyone sees it). */
export function saveRequestRules(
  db: Db,
  r: { jobId: string; requestId: string; proposed?: string; askRule?: string; reason?: string },
): void {
  prepared(
    db,
    `INSERT INTO request_rules (job_id, request_id, proposed_rule, ask_rule, reason) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (job_id, request_id) DO UPDATE SET proposed_rule = excluded.proposed_rule,
       ask_rule = excluded.ask_rule, reason = excluded.reason`,
  ).run(r.jobId, r.requestId, r.proposed ?? null, r.askRule ?? null, r.reason?.slice(0, 500) ?? null);
}

/** Marks a request as decided automatically by granted rules. */
export function markAutoDecided(
  db: Db,
  jobId: string,
  requestId: string,
  decision: GrantKind,
  rules: readonly string[],
): void {
  prepared(
    db,
    `INSERT INTO request_rules (job_id, request_id, auto_decision, auto_rules) VALUES (?, ?, ?, ?)
     ON CONFLICT (job_id, request_id) DO UPDATE SET auto_decision = excluded.auto_decision,
       auto_rules = excluded.auto_rules`,
  ).run(jobId, requestId, decision, JSON.stringify(rules));
}

export interface AutoDecidedRequest {
  request_id: string;
  seq: number;
  tool: string;
  input: string;
  auto_decision: GrantKind;
  auto_rules: string[];
}

/** The job's requests granted rules decided, in seq order. */
export function autoDecidedRequests(db: Db, jobId: string): AutoDecidedRequest[] {
  const rows = prepared(
    db,
    `SELECT p.request_id, p.seq, p.tool, p.input, r.auto_decision, r.auto_rules
       FROM request_rules r JOIN permission_requests p USING (job_id, request_id)
      WHERE r.job_id = ? AND r.auto_decision IS NOT NULL ORDER BY p.seq`,
  ).all(jobId) as Array<Omit<AutoDecidedRequest, 'auto_rules'> & { auto_rules: string | null }>;
  return rows.map((r) => ({ ...r, auto_rules: parseList(r.auto_rules) }));
}

function parseList(text: string | null): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The rules granted together with a decision on this request. */
export function grantsOnRequest(db: Db, jobId: string, requestId: string): GrantedRule[] {
  return prepared(
    db,
    'SELECT * FROM granted_rules WHERE job_id = ? AND request_id = ? ORDER BY kind, rule',
  ).all(jobId, requestId) as GrantedRule[];
}
