/**
 * A job's rules by origin, with how many calls each answered automatically: what `/hermes rules`
 * and `hermes jobs rules` show. Hardline, bot and profile: as the job's runner reported them with
 * the accepted start (job-policies.ts), so every rule in force is listed from the start, at 0
 * calls. A job whose runner reported none (no hooks, an older runner): the built-in hardline
 * denies, this bot's `approvals`, and the rules the hook reported deciding with. Granted: who
 * granted each and when.
 */
import { HARDLINE_DENIES, HARDLINE_IDS, hardlineName } from '../policy/hardline.js';
import type { RuleLists } from '../policy/policy-set.js';
import { parseRule, RULE_KINDS, RULE_ORIGINS, type RuleKind, type RuleOrigin } from '../policy/rule.js';
import type { Db } from '../store/sqlite.js';
import { answeredByRule } from './auto-decisions.js';
import { grantedRulesOf } from './granted-rules.js';
import { jobPolicyOf } from './job-policies.js';

export interface RuleLine {
  origin: RuleOrigin | string;
  kind: RuleKind;
  rule: string;
  /** Calls it answered automatically (in the hook or by the bot). */
  answered: number;
  granted_by?: string;
  granted_at?: string;
  /** Granted as "approve for this job" before rules existed. */
  legacy?: boolean;
  /** Known only because the hook reported deciding with it. */
  reported?: boolean;
}

export interface JobRulesReport {
  job_id: string;
  rules: RuleLine[];
  /** Where hardline, bot and profile rules come from: the runner's report at the start, or this bot. */
  source: { runner: string; reported_at: string } | 'bot';
  /** Built-in hardline denies the job's runner removed (runner.hardline_remove). */
  hardline_removed: string[];
  /** Rules the runner left out of its report to fit the message. */
  omitted: number;
}

/**
 * The hook names every rule behind an allowed compound command, joined by ", ": credit each when
 * every piece is a rule of its own, else the text as one.
 */
function pieces(rule: string): string[] {
  const parts = rule.split(', ');
  if (parts.length === 1) return parts;
  try {
    for (const p of parts) parseRule(p);
    return parts;
  } catch {
    return [rule];
  }
}

export function jobRulesReport(db: Db, jobId: string, botRules?: RuleLists): JobRulesReport {
  // Keyed origin, kind, rule (JSON: a rule may hold any character).
  const counts = new Map<string, number>();
  for (const a of answeredByRule(db, jobId)) {
    for (const p of pieces(a.rule)) {
      const k = JSON.stringify([a.origin, a.kind, p]);
      counts.set(k, (counts.get(k) ?? 0) + a.n);
    }
  }
  const take = (origin: string, kind: string, rule: string): number => {
    const k = JSON.stringify([origin, kind, rule]);
    const n = counts.get(k) ?? 0;
    counts.delete(k);
    return n;
  };
  const rules: RuleLine[] = [];
  const hardline = (id: string) => {
    const name = hardlineName(id);
    rules.push({ origin: 'hardline', kind: 'deny', rule: name, answered: take('hardline', 'deny', name) });
  };
  // An ask rule sends a call to a person: it never answers one itself.
  const add = (origin: string, kind: RuleKind, rule: string) =>
    rules.push({ origin, kind, rule, answered: kind === 'ask' ? 0 : take(origin, kind, rule) });
  const fromRunner = jobPolicyOf(db, jobId);
  if (fromRunner) {
    for (const id of fromRunner.policy.hardline) hardline(id);
    for (const r of fromRunner.policy.rules) add(r.origin, r.kind, r.rule);
  } else {
    for (const h of HARDLINE_DENIES) hardline(h.id);
    for (const kind of RULE_KINDS) for (const rule of botRules?.[kind] ?? []) add('bot', kind, rule);
  }
  for (const g of grantedRulesOf(db, jobId)) {
    rules.push({
      origin: 'granted',
      kind: g.kind,
      rule: g.rule,
      answered: take('granted', g.kind, g.rule),
      granted_by: g.granted_by,
      granted_at: g.granted_at,
      ...(g.legacy ? { legacy: true } : {}),
    });
  }
  // What the hook reported deciding with that this bot does not list itself (profile rules,
  // a runner's hardline additions, bot rules changed since): shown under the origin it named.
  const reported = [...counts].map(([key, answered]): RuleLine => {
    const [origin, kind, rule] = JSON.parse(key) as [string, RuleKind, string];
    return { origin, kind, rule, answered, reported: true };
  });
  reported.sort((a, b) => a.rule.localeCompare(b.rule));
  const rank = (o: string) => {
    const i = (RULE_ORIGINS as readonly string[]).indexOf(o);
    return i === -1 ? RULE_ORIGINS.length : i;
  };
  const all = [...rules, ...reported];
  // Stable: within an origin, the order above (kinds deny, ask, allow; grants oldest first).
  const ordered = all
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.origin) - rank(b.r.origin) || a.i - b.i);
  return {
    job_id: jobId,
    rules: ordered.map(({ r }) => r),
    source: fromRunner ? { runner: fromRunner.runner, reported_at: fromRunner.reportedAt } : 'bot',
    hardline_removed: fromRunner ? HARDLINE_IDS.filter((id) => !fromRunner.policy.hardline.includes(id)) : [],
    omitted: fromRunner?.policy.omitted ?? 0,
  };
}
