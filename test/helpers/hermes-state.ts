/**
 * What the bot and the runner processes have on disk, read from the test process the way an
 * operator would look: the bot's hermes.db and audit log, the runner's runner.db and
 * agent-sessions.yaml. Each read opens the database read-only and closes it again, so a process
 * killed and restarted meanwhile is never disturbed by a connection the test holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import { type Session, type SessionRow, sessionFromRow } from '../../runner/session-record.js';
import { runnerDbPath } from '../../runner/session-store.js';
import { mirrorPath } from '../../runner/yaml-mirror.js';
import { type Job, type JobRow, jobFromRow } from '../../src/jobs/job.js';
import {
  eventsOf,
  type PermissionRequest,
  permissionRequestsOf,
  type StoredEvent,
} from '../../src/jobs/queries.js';
import { auditPath } from '../../src/relay/audit.js';
import { botDbPath } from '../../src/store/bot-db.js';
import type { Db } from '../../src/store/sqlite.js';

function readDb<T>(file: string, fn: (db: Db) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

export function botJobs(botHome: string): Job[] {
  return readDb(botDbPath(botHome), (db) =>
    (db.prepare('SELECT * FROM jobs ORDER BY created_at, id').all() as JobRow[]).map(jobFromRow),
  );
}

export function botJob(botHome: string, jobId: string): Job | undefined {
  return readDb(botDbPath(botHome), (db) => {
    const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return row && jobFromRow(row);
  });
}

export function botEvents(botHome: string, jobId: string): StoredEvent[] {
  return readDb(botDbPath(botHome), (db) => eventsOf(db, jobId));
}

export function botRequests(botHome: string, jobId: string): PermissionRequest[] {
  return readDb(botDbPath(botHome), (db) => permissionRequestsOf(db, jobId));
}

/** The runner's state as the bot last recorded it (online / offline / unknown). */
export function botRunnerState(botHome: string, runnerId: string): string | undefined {
  return readDb(botDbPath(botHome), (db) => {
    const row = db.prepare('SELECT state FROM runners WHERE id = ?').get(runnerId) as
      | { state: string }
      | undefined;
    return row?.state;
  });
}

/**
 * Accepted events of the job that Slack has not been shown yet (no 'thread' delivery recorded):
 * zero means the bot has nothing in flight for the job's thread.
 */
export function undeliveredEvents(botHome: string, jobId: string): number {
  return readDb(botDbPath(botHome), (db) => {
    const row = db
      .prepare(
        `SELECT COUNT(*) AS n FROM events e WHERE e.job_id = ? AND NOT EXISTS (
           SELECT 1 FROM chat_deliveries d WHERE d.job_id = e.job_id AND d.seq = e.seq AND d.part = 'thread')`,
      )
      .get(jobId) as { n: number };
    return row.n;
  });
}

export interface AuditLine {
  verdict: 'accepted' | 'dropped';
  reason?: string;
  job_id?: string;
  seq?: number;
  event?: string;
}

/** Every line of the bot's event audit log (events.ndjson). */
export function auditLines(botHome: string): AuditLine[] {
  const file = auditPath(botHome);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

/** The runner's session of a job, from runner.db. */
export function runnerSession(runnerHome: string, jobId: string): Session | undefined {
  if (!existsSync(runnerDbPath(runnerHome))) return undefined;
  return readDb(runnerDbPath(runnerHome), (db) => {
    const row = db.prepare('SELECT * FROM sessions WHERE job_id = ?').get(jobId) as SessionRow | undefined;
    return row && sessionFromRow(row);
  });
}

/** agent-sessions.yaml as a script polling it would read it. */
export function mirroredSessions(runnerHome: string): Array<{ job_id: string; status: string }> {
  const file = mirrorPath(runnerHome);
  if (!existsSync(file)) return [];
  const doc = parseYaml(readFileSync(file, 'utf8')) as {
    sessions?: Array<{ job_id: string; status: string }>;
  } | null;
  return doc?.sessions ?? [];
}

/** Seqs 1..n each present once: nothing lost, nothing doubled. */
export function isContiguous(seqs: number[]): boolean {
  return seqs.every((s, i) => s === i + 1);
}
