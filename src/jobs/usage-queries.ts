/**
 * Cost and tokens from the bot's stored events: a job's usage is the `data.usage` of its latest
 * event carrying one (the wrapper reports the running total at each turn's end and in the
 * terminal event), so nothing is stored twice and nothing needs a migration.
 */
import { type Db, prepared } from '../store/sqlite.js';
import {
  addUsage,
  type Tokens,
  tokensFromData,
  tokensOf,
  type Usage,
  usageFromData,
  ZERO_USAGE,
} from './usage.js';

const LATEST = `SELECT wire FROM events
  WHERE job_id = ? AND json_valid(wire) AND json_type(wire, '$.data.usage') = 'object'
  ORDER BY seq DESC LIMIT 1`;

export function jobUsage(db: Db, jobId: string): Usage | undefined {
  const row = prepared(db, LATEST).get(jobId) as { wire: string } | undefined;
  if (!row) return undefined;
  try {
    return usageFromData((JSON.parse(row.wire) as { data?: unknown }).data);
  } catch {
    return undefined;
  }
}

const LATEST_COUNTS = `SELECT wire FROM events
  WHERE job_id = ? AND seq <= ? AND json_valid(wire)
    AND (json_type(wire, '$.data.tokens') = 'object' OR json_type(wire, '$.data.usage') = 'object')
  ORDER BY seq DESC LIMIT 1`;

/**
 * The job's tokens so far: the newest of the running counts a turn reports (`data.tokens`) and the
 * usage at a turn's end, so a new turn's status message starts from the job's real total. Up to
 * seq `upTo`: a message shows the counts as of the newest event it shows.
 */
export function tokensSoFar(db: Db, jobId: string, upTo = Number.MAX_SAFE_INTEGER): Tokens | undefined {
  const row = prepared(db, LATEST_COUNTS).get(jobId, upTo) as { wire: string } | undefined;
  if (!row) return undefined;
  try {
    const data = (JSON.parse(row.wire) as { data?: unknown }).data;
    const tokens = tokensFromData(data);
    if (tokens) return tokens;
    const usage = usageFromData(data);
    return usage && tokensOf(usage);
  } catch {
    return undefined;
  }
}

export interface UsageGroup {
  key: string;
  jobs: number;
  usage: Usage;
}

export interface UsageSummary {
  since: string;
  jobs: number;
  total: Usage;
  by_user: UsageGroup[];
  by_channel: UsageGroup[];
  by_profile: UsageGroup[];
  by_runner: UsageGroup[];
}

interface Row {
  id: string;
  owner: string;
  chat_platform: string | null;
  chat_channel: string | null;
  profile: string;
  runner: string;
}

function grouped(rows: Array<{ key: string; usage: Usage }>): UsageGroup[] {
  const m = new Map<string, UsageGroup>();
  for (const r of rows) {
    const g = m.get(r.key) ?? { key: r.key, jobs: 0, usage: { ...ZERO_USAGE } };
    g.jobs++;
    g.usage = addUsage(g.usage, r.usage);
    m.set(r.key, g);
  }
  return [...m.values()].sort((a, b) => b.usage.cost_usd - a.usage.cost_usd || a.key.localeCompare(b.key));
}

/**
 * Usage of the jobs registered at or after `since` (ISO time), summed per user (owner), channel,
 * profile and runner. `where` narrows it to some jobs (a chat platform shows its own only).
 */
export function usageSummary(db: Db, since: string, where: (job: Row) => boolean = () => true): UsageSummary {
  const jobs = (
    prepared(
      db,
      'SELECT id, owner, chat_platform, chat_channel, profile, runner FROM jobs WHERE created_at >= ? ORDER BY created_at',
    ).all(since) as Row[]
  ).filter(where);
  const withUsage = jobs.flatMap((j) => {
    const usage = jobUsage(db, j.id);
    return usage ? [{ j, usage }] : [];
  });
  const by = (key: (j: Row) => string) => grouped(withUsage.map(({ j, usage }) => ({ key: key(j), usage })));
  return {
    since,
    jobs: withUsage.length,
    total: withUsage.reduce((t, x) => addUsage(t, x.usage), { ...ZERO_USAGE }),
    by_user: by((j) => j.owner),
    by_channel: by((j) => (j.chat_channel ? `${j.chat_platform}:${j.chat_channel}` : '(none)')),
    by_profile: by((j) => j.profile),
    by_runner: by((j) => j.runner),
  };
}
