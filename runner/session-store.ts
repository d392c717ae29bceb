/**
 * The runner's sessions in SQLite (`$HERMES_HOME/runner.db`). Every status
 * change reads and writes in one BEGIN IMMEDIATE transaction and goes through
 * session-states.ts, so two processes on one home cannot race a session into
 * an illegal state.
 */
import { join } from 'node:path';
import { type Clock, isoTime, systemClock } from '../src/clock.js';
import { HermesError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { type EventType, isTerminalEvent } from '../src/protocol/schemas.js';
import type { JournalSetting } from '../src/store/sqlite.js';
import { type Db, immediate, migrate, openDatabase, prepared } from '../src/store/sqlite.js';
import { sessionNameFor } from './session-names.js';
import { type Session, type SessionRow, sessionFromRow } from './session-record.js';
import { RUNNER_MIGRATIONS } from './session-schema.js';
import { assertTransition, type SessionState } from './session-states.js';

export const runnerDbPath = (home: string): string => join(home, 'runner.db');

export interface CreateSession {
  jobId: string;
  profile: string;
  /** Default: sessionNameFor(jobId). */
  name?: string;
  cwd?: string | null;
  panePid?: number | null;
  /** When the program was confirmed running (ms); default now. */
  startedAt?: number;
  note?: string | null;
}

export interface StopDetails {
  at?: number;
  exitStatus?: number | null;
  note?: string | null;
  /** Detail of the `error` event the runner owes the job (no terminal event was seen). */
  owedError?: string | null;
}

export type LeaseResult =
  | { acquired: true; holder: string; expiresAt: number }
  | { acquired: false; holder: string; expiresAt: number };

export class SessionStore {
  constructor(
    readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  private iso(at: number | undefined): string {
    return isoTime(at ?? this.clock.now());
  }

  private row(name: string): SessionRow | undefined {
    return prepared(this.db, 'SELECT * FROM sessions WHERE name = ?').get(name) as SessionRow | undefined;
  }

  create(input: CreateSession): Session {
    const name = input.name ?? sessionNameFor(input.jobId);
    const now = this.iso(undefined);
    return immediate(this.db, () => {
      const clash = prepared(this.db, 'SELECT name, job_id FROM sessions WHERE name = ? OR job_id = ?').get(
        name,
        input.jobId,
      ) as { name: string; job_id: string } | undefined;
      if (clash) {
        throw new HermesError('store', `job ${clash.job_id} already has session ${clash.name}`, {
          hint: 'a job runs in one session; archive or remove the old one first',
        });
      }
      prepared(
        this.db,
        `INSERT INTO sessions (name, job_id, profile, status, created_at, started_at, cwd, pane_pid, note)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      ).run(
        name,
        input.jobId,
        input.profile,
        now,
        this.iso(input.startedAt),
        input.cwd ?? null,
        input.panePid ?? null,
        input.note ?? null,
      );
      return sessionFromRow(this.row(name)!);
    });
  }

  get(name: string): Session | undefined {
    const r = this.row(name);
    return r ? sessionFromRow(r) : undefined;
  }

  getByJob(jobId: string): Session | undefined {
    const r = prepared(this.db, 'SELECT * FROM sessions WHERE job_id = ?').get(jobId) as
      | SessionRow
      | undefined;
    return r ? sessionFromRow(r) : undefined;
  }

  /** By session name, or else by job id. */
  require(nameOrJob: string): Session {
    const s = this.get(nameOrJob) ?? this.getByJob(nameOrJob);
    if (!s)
      throw new HermesError(
        'unknown_job',
        `no session named ${nameOrJob} and no session for a job with that id`,
      );
    return s;
  }

  list(filter: { status?: SessionState | readonly SessionState[] } = {}): Session[] {
    const statuses =
      filter.status === undefined ? [] : Array.isArray(filter.status) ? filter.status : [filter.status];
    const where = statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
    const rows = prepared(this.db, `SELECT * FROM sessions ${where} ORDER BY created_at, name`).all(
      ...statuses,
    );
    return (rows as SessionRow[]).map(sessionFromRow);
  }

  /**
   * Note an event of the session's job. A terminal event (completed / error)
   * sets ended_at once; the last event is the latest by time. Returns
   * undefined when the runner has no session for the job.
   */
  recordEvent(jobId: string, event: EventType, at?: number): Session | undefined {
    const when = this.iso(at);
    return immediate(this.db, () => {
      const r = prepared(this.db, 'SELECT name FROM sessions WHERE job_id = ?').get(jobId) as
        | { name: string }
        | undefined;
      if (!r) return undefined;
      prepared(
        this.db,
        `UPDATE sessions SET last_event = ?, last_event_at = ?
           WHERE name = ? AND (last_event_at IS NULL OR last_event_at <= ?)`,
      ).run(event, when, r.name, when);
      if (isTerminalEvent(event)) {
        prepared(this.db, 'UPDATE sessions SET ended_at = coalesce(ended_at, ?) WHERE name = ?').run(
          when,
          r.name,
        );
      }
      return sessionFromRow(this.row(r.name)!);
    });
  }

  private transition(name: string, to: SessionState, set: Record<string, unknown>): Session {
    return immediate(this.db, () => {
      const r = this.row(name);
      if (!r) throw new HermesError('unknown_job', `no session named ${name}`);
      assertTransition(name, r.status, to);
      const cols = Object.keys(set);
      const assignments = ['status = ?', ...cols.map((c) => `${c} = ?`)].join(', ');
      prepared(this.db, `UPDATE sessions SET ${assignments} WHERE name = ?`).run(
        to,
        ...Object.values(set),
        name,
      );
      return sessionFromRow(this.row(name)!);
    });
  }

  markStopped(name: string, d: StopDetails = {}): Session {
    return this.transition(name, 'stopped', {
      stopped_at: this.iso(d.at),
      exit_status: d.exitStatus ?? null,
      note: d.note ?? null,
      vanish_detail: d.owedError ?? null,
    });
  }

  markTerminated(name: string, d: { at?: number; note?: string | null } = {}): Session {
    const set: Record<string, unknown> = { terminated_at: this.iso(d.at) };
    if (d.note !== undefined) set.note = d.note;
    return this.transition(name, 'terminated', set);
  }

  markArchived(name: string, d: { at?: number } = {}): Session {
    return this.transition(name, 'archived', { archived_at: this.iso(d.at) });
  }

  /** The owed error event was published: the job has ended with it. */
  markErrorReported(name: string, at?: number): Session {
    const when = this.iso(at);
    return immediate(this.db, () => {
      const changed = prepared(
        this.db,
        `UPDATE sessions SET vanish_reported_at = ?, ended_at = coalesce(ended_at, ?),
             last_event = 'error', last_event_at = ?
           WHERE name = ? AND vanish_detail IS NOT NULL AND vanish_reported_at IS NULL`,
      ).run(when, when, when, name).changes;
      if (changed === 0) throw new HermesError('store', `session ${name} owes no error event`);
      return sessionFromRow(this.row(name)!);
    });
  }

  /** Sessions whose owed error event is still unpublished (and whose job has not ended otherwise). */
  owingErrorEvents(): Session[] {
    const rows = prepared(
      this.db,
      `SELECT * FROM sessions WHERE vanish_detail IS NOT NULL AND vanish_reported_at IS NULL AND ended_at IS NULL
         ORDER BY stopped_at, name`,
    ).all() as SessionRow[];
    return rows.map(sessionFromRow);
  }

  /**
   * Take the reconcile lease unless someone else (this process included)
   * holds an unexpired one. Cross-process exclusion on one $HERMES_HOME.
   */
  tryAcquireLease(holder: string, ttlMs: number): LeaseResult {
    const now = this.clock.now();
    return immediate(this.db, () => {
      const cur = prepared(this.db, 'SELECT holder, expires_at FROM reconcile_lock WHERE id = 1').get() as
        | { holder: string; expires_at: number }
        | undefined;
      if (cur && cur.expires_at > now)
        return { acquired: false, holder: cur.holder, expiresAt: cur.expires_at };
      const expiresAt = now + ttlMs;
      prepared(
        this.db,
        `INSERT INTO reconcile_lock (id, holder, acquired_at, expires_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
             expires_at = excluded.expires_at`,
      ).run(holder, now, expiresAt);
      return { acquired: true, holder, expiresAt };
    });
  }

  releaseLease(holder: string): void {
    immediate(this.db, () => {
      prepared(this.db, 'DELETE FROM reconcile_lock WHERE id = 1 AND holder = ?').run(holder);
    });
  }

  close(): void {
    this.db.close();
  }
}

export interface OpenSessionStoreOptions {
  home: string;
  log: Logger;
  journal?: JournalSetting;
  clock?: Clock;
}

export function openSessionStore(opts: OpenSessionStoreOptions): SessionStore {
  const db = openDatabase(runnerDbPath(opts.home), { log: opts.log, journal: opts.journal });
  try {
    migrate(db, RUNNER_MIGRATIONS);
  } catch (e) {
    db.close();
    throw e;
  }
  return new SessionStore(db, opts.clock);
}
