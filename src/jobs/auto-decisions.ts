/**
 * Read-only views of a job's automatic decisions, from both places they are made: in the hook on
 * the runner host (static rules; reported as `progress` events carrying `data.auto`), and by the
 * bot (granted rules; request_rules.auto_decision). The thread's status message and
 * `/hermes rules` count them.
 */
import { type Db, prepared } from '../store/sqlite.js';
import { autoDecidedRequests } from './granted-rules.js';

export type AutoDecision = 'allow' | 'deny';

/** `data.auto.<field>` of a stored event; NULL for an event whose wire SQLite cannot read. */
const auto = (field: string) =>
  `json_extract(CASE WHEN json_valid(wire) THEN wire END, '$.data.auto.${field}')`;

/** Neither an automatic decision nor running token counts (`data.tokens`): an update a person reads. */
const IS_UPDATE = `${auto('decision')} IS NULL AND json_type(CASE WHEN json_valid(wire) THEN wire END, '$.data.tokens') IS NULL`;

export interface AutoDeny {
  seq: number;
  tool: string;
  /** What was called (a command, a path), as the hook summarised it. */
  summary: string;
  rule: string;
  origin: string;
}

export interface AutoTally {
  allowed: number;
  denied: number;
  /** Per tool, most first. */
  allowedByTool: Array<[string, number]>;
  deniedByTool: Array<[string, number]>;
  /** The latest automatic denies, newest first. */
  recentDenies: AutoDeny[];
}

/** A tool call's input summarised in one line: the command, the path, or the JSON. */
export function inputSummary(input: string): string {
  try {
    const v = JSON.parse(input) as Record<string, unknown> | null;
    if (v && typeof v === 'object') {
      for (const k of ['command', 'file_path', 'path', 'url', 'pattern', 'notebook_path'])
        if (typeof v[k] === 'string') return v[k] as string;
    }
  } catch {
    // shown as it came
  }
  return input;
}

/**
 * Whether a stored progress event reports an automatic decision made in the hook. Such events are
 * counted, not shown as the job's latest update.
 */
export function isAutoProgress(data: Record<string, unknown>): boolean {
  const a = data.auto as { decision?: unknown } | undefined;
  return typeof a === 'object' && a !== null && (a.decision === 'allow' || a.decision === 'deny');
}

const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

export function autoTally(db: Db, jobId: string, denies = 10): AutoTally {
  const allowed = new Map<string, number>();
  const denied = new Map<string, number>();
  const add = (m: Map<string, number>, tool: string, n: number) => m.set(tool, (m.get(tool) ?? 0) + n);
  const hook = prepared(
    db,
    `SELECT ${auto('decision')} AS d, ${auto('tool')} AS tool, COUNT(*) AS n FROM events
      WHERE job_id = ? AND event = 'progress' AND ${auto('decision')} IN ('allow', 'deny') GROUP BY 1, 2`,
  ).all(jobId) as Array<{ d: AutoDecision; tool: string | null; n: number }>;
  for (const r of hook) add(r.d === 'allow' ? allowed : denied, String(r.tool ?? 'unknown'), r.n);
  const granted = autoDecidedRequests(db, jobId);
  for (const r of granted) add(r.auto_decision === 'allow' ? allowed : denied, r.tool, 1);
  const hookDenies = prepared(
    db,
    `SELECT seq, ${auto('tool')} AS tool, ${auto('summary')} AS summary, ${auto('rule')} AS rule,
            ${auto('origin')} AS origin, detail FROM events
      WHERE job_id = ? AND event = 'progress' AND ${auto('decision')} = 'deny' ORDER BY seq DESC LIMIT ?`,
  ).all(jobId, denies) as Array<{
    seq: number;
    tool: unknown;
    summary: unknown;
    rule: unknown;
    origin: unknown;
    detail: string | null;
  }>;
  const recent: AutoDeny[] = hookDenies.map((r) => ({
    seq: r.seq,
    tool: String(r.tool ?? 'unknown'),
    summary: typeof r.summary === 'string' ? r.summary : (r.detail ?? ''),
    rule: String(r.rule ?? 'unknown'),
    origin: String(r.origin ?? 'unknown'),
  }));
  for (const r of granted) {
    if (r.auto_decision !== 'deny') continue;
    recent.push({
      seq: r.seq,
      tool: r.tool,
      summary: inputSummary(r.input),
      rule: r.auto_rules.join(', '),
      origin: 'granted',
    });
  }
  recent.sort((a, b) => b.seq - a.seq);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    allowed: sum(allowed),
    denied: sum(denied),
    allowedByTool: sorted(allowed),
    deniedByTool: sorted(denied),
    recentDenies: recent.slice(0, denies),
  };
}

export interface RuleAnswers {
  origin: string;
  /** What the rule did: an allow rule allowed, a deny rule denied. */
  kind: AutoDecision;
  rule: string;
  n: number;
}

/** How many calls each rule answered automatically (the hook's as it named them, and the bot's). */
export function answeredByRule(db: Db, jobId: string): RuleAnswers[] {
  const hook = prepared(
    db,
    `SELECT ${auto('rule')} AS rule, ${auto('origin')} AS origin, ${auto('decision')} AS kind, COUNT(*) AS n
       FROM events
      WHERE job_id = ? AND event = 'progress' AND ${auto('decision')} IN ('allow', 'deny') GROUP BY 1, 2, 3`,
  ).all(jobId) as Array<{ rule: unknown; origin: unknown; kind: AutoDecision; n: number }>;
  const out: RuleAnswers[] = hook.map((r) => ({
    origin: String(r.origin ?? 'unknown'),
    kind: r.kind,
    rule: String(r.rule ?? 'unknown'),
    n: r.n,
  }));
  for (const r of autoDecidedRequests(db, jobId))
    for (const rule of r.auto_rules) out.push({ origin: 'granted', kind: r.auto_decision, rule, n: 1 });
  return out;
}

/**
 * The job's latest progress event that is an update (not an automatic decision, not token counts),
 * if any, up to seq `upTo` (what a message showing events up to there may say).
 */
export function latestUpdate(
  db: Db,
  jobId: string,
  upTo = Number.MAX_SAFE_INTEGER,
): { seq: number; timestamp: string; detail: string | null; verified: number } | undefined {
  return prepared(
    db,
    `SELECT seq, timestamp, detail, verified FROM events
      WHERE job_id = ? AND seq <= ? AND event = 'progress' AND ${IS_UPDATE} ORDER BY seq DESC LIMIT 1`,
  ).get(jobId, upTo) as
    | { seq: number; timestamp: string; detail: string | null; verified: number }
    | undefined;
}

/** How many progress events of the job are updates (not automatic decisions, not token counts). */
export function updateCount(db: Db, jobId: string): number {
  return (
    prepared(
      db,
      `SELECT COUNT(*) AS n FROM events WHERE job_id = ? AND event = 'progress' AND ${IS_UPDATE}`,
    ).get(jobId) as { n: number }
  ).n;
}
