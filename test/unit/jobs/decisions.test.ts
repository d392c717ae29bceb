import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
import {
  markDecisionsCleared,
  markPublished,
  UNPUBLISHED,
  unpublishedDecisions,
} from '../../../src/jobs/decisions.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { BOT_MIGRATIONS } from '../../../src/store/bot-schema.js';
import { migrate } from '../../../src/store/sqlite.js';

const now = Date.parse('2026-06-21T10:00:00Z');
const clock = { now: () => now };

function addRequest(db: Database.Database, jobId: string, requestId: string, status = 'pending') {
  db.prepare(
    `INSERT INTO permission_requests (job_id, request_id, seq, tool, input, requested_at, expires_at, status)
     VALUES (?, ?, 1, 'Bash', '{}', '2026-06-21T09:00:00.000Z', '2026-06-21T09:10:00.000Z', ?)`,
  ).run(jobId, requestId, status);
}

describe('requests of ending jobs', () => {
  it('every ending (here a cancel, as hermes jobs cancel does) closes open requests, stamped', () => {
    const db = new Database(':memory:');
    migrate(db, BOT_MIGRATIONS);
    const registry = new JobRegistry(db, clock, systemRandom);
    const job = registry.register({ profile: 'demo', owner: 'o' });
    addRequest(db, job.id, 'r-open');
    addRequest(db, job.id, 'r-done', 'approved');
    registry.cancel(job.id, 'cancelled from the CLI');
    expect(permissionRequest(db, job.id, 'r-open')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
      decided_at: '2026-06-21T10:00:00.000Z',
      reason: 'closed: the job ended (cancelled)',
    });
    expect(permissionRequest(db, job.id, 'r-done')).toMatchObject({ status: 'approved', decided_by: null });
  });

  it('the upgrade to schema 4 closes what older versions left: pending requests of ended jobs, unstamped expiries', () => {
    const db = new Database(':memory:');
    migrate(db, BOT_MIGRATIONS.slice(0, 3));
    const job = (id: string, status: string, ended: string | null) =>
      db
        .prepare(
          `INSERT INTO jobs (id, status, profile, runner, owner, auth, created_at, updated_at, ended_at)
           VALUES (?, ?, 'demo', 'local', 'o', 'none', '2026-06-20T00:00:00Z', '2026-06-20T01:00:00Z', ?)`,
        )
        .run(id, status, ended);
    job('j-cancelled', 'cancelled', '2026-06-20T02:00:00Z');
    job('j-completed', 'completed', '2026-06-20T03:00:00Z');
    job('j-live', 'waiting', null);
    addRequest(db, 'j-cancelled', 'r-1');
    addRequest(db, 'j-completed', 'r-2', 'expired');
    addRequest(db, 'j-live', 'r-3');
    migrate(db, BOT_MIGRATIONS);
    expect(permissionRequest(db, 'j-cancelled', 'r-1')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
      decided_at: '2026-06-20T02:00:00Z',
    });
    expect(permissionRequest(db, 'j-completed', 'r-2')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
      decided_at: '2026-06-20T03:00:00Z',
    });
    expect(permissionRequest(db, 'j-live', 'r-3')).toMatchObject({ status: 'pending', decided_by: null });
  });

  it('the upgrade to schema 4 owes no cancel for jobs already over, and has nothing to clear where nothing was asked', () => {
    const db = new Database(':memory:');
    migrate(db, BOT_MIGRATIONS.slice(0, 3));
    const job = (id: string, status: string, ended: string | null) =>
      db
        .prepare(
          `INSERT INTO jobs (id, status, profile, runner, owner, auth, created_at, updated_at, dispatched_at, ended_at)
           VALUES (?, ?, 'demo', 'r1', 'o', 'none', '2026-06-20T00:00:00Z', '2026-06-20T01:00:00Z',
                   '2026-06-20T00:00:01Z', ?)`,
        )
        .run(id, status, ended);
    for (let i = 0; i < 30; i++) job(`j-old-${i}`, 'cancelled', '2026-06-20T02:00:00Z');
    job('j-asked', 'completed', '2026-06-20T03:00:00Z');
    job('j-running', 'running', null);
    addRequest(db, 'j-asked', 'r-1', 'approved');
    migrate(db, BOT_MIGRATIONS);
    const row = (id: string) =>
      db.prepare('SELECT cancel_owed_at, cancel_answer, decisions_cleared_at FROM jobs WHERE id = ?').get(id);
    expect(row('j-old-0')).toEqual({
      cancel_owed_at: null,
      cancel_answer: 'legacy',
      decisions_cleared_at: '2026-06-20T02:00:00Z',
    });
    expect(row('j-asked')).toEqual({
      cancel_owed_at: null,
      cancel_answer: 'legacy',
      decisions_cleared_at: null,
    });
    expect(row('j-running')).toEqual({
      cancel_owed_at: null,
      cancel_answer: null,
      decisions_cleared_at: null,
    });
    expect(
      db
        .prepare('SELECT COUNT(*) AS n FROM jobs WHERE cancel_owed_at IS NOT NULL AND cancel_answer IS NULL')
        .get(),
    ).toEqual({ n: 0 });
  });
});

describe('the decision outbox', () => {
  /** Rows in the partial index the outbox reads: only what it may still have to publish. */
  const inIndex = (db: Database.Database) =>
    (
      db
        .prepare(
          `SELECT job_id || '/' || request_id AS k FROM permission_requests INDEXED BY permission_requests_unpublished
            WHERE ${UNPUBLISHED} ORDER BY k`,
        )
        .all() as Array<{ k: string }>
    ).map((r) => r.k);

  it("requests closed by their job's end never enter the unpublished index; an unpublished decision of an ended job leaves it once cleared", () => {
    const db = new Database(':memory:');
    migrate(db, BOT_MIGRATIONS);
    const registry = new JobRegistry(db, clock, systemRandom);
    const live = registry.register({ profile: 'demo', owner: 'o' });
    const ended = registry.register({ profile: 'demo', owner: 'o' });
    addRequest(db, live.id, 'r-live');
    addRequest(db, ended.id, 'r-open');
    addRequest(db, ended.id, 'r-decided');
    const decideNow = (jobId: string, requestId: string) =>
      db
        .prepare(
          `UPDATE permission_requests SET status = 'approved', decided_by = 'cli:alice', decided_at = ?, decision_seq = 1
            WHERE job_id = ? AND request_id = ?`,
        )
        .run('2026-06-21T10:00:00.000Z', jobId, requestId);
    decideNow(live.id, 'r-live');
    decideNow(ended.id, 'r-decided'); // recorded while the broker was down
    registry.cancel(ended.id);
    expect(permissionRequest(db, ended.id, 'r-open')).toMatchObject({
      decided_by: 'hermes:job-ended',
      published_at: null,
    });
    expect(inIndex(db)).toEqual([`${ended.id}/r-decided`, `${live.id}/r-live`].sort());
    expect(unpublishedDecisions(registry).map((r) => r.request_id)).toEqual(['r-live']);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM permission_requests WHERE ${UNPUBLISHED} ORDER BY decided_at`,
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toContain('permission_requests_unpublished');

    markDecisionsCleared(registry, ended.id, now);
    markPublished(registry, live.id, 'r-live', now);
    expect(inIndex(db)).toEqual([]);
    expect(permissionRequest(db, ended.id, 'r-open')?.published_at).toBeNull();
  });

  it('the upgrade to schema 4 leaves closures it makes, and older ones, out of the unpublished index', () => {
    const db = new Database(':memory:');
    migrate(db, BOT_MIGRATIONS.slice(0, 3));
    db.prepare(
      `INSERT INTO jobs (id, status, profile, runner, owner, auth, created_at, updated_at, ended_at)
       VALUES ('j-1', 'cancelled', 'demo', 'local', 'o', 'none', '2026-06-20T00:00:00Z', '2026-06-20T01:00:00Z',
               '2026-06-20T02:00:00Z')`,
    ).run();
    for (let i = 0; i < 5; i++) addRequest(db, 'j-1', `r-${i}`);
    migrate(db, BOT_MIGRATIONS);
    expect(permissionRequest(db, 'j-1', 'r-0')).toMatchObject({ decided_by: 'hermes:job-ended' });
    expect(inIndex(db)).toEqual([]);
  });
});
