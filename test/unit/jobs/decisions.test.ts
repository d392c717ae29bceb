import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
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
});
