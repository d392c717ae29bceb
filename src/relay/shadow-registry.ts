/**
 * A private in-memory copy of some jobs, for observers (`hermes watch`) that
 * verify and replay-filter exactly as the bot does without touching the
 * bot's replay state. Each copy is seeded from the bot's database with the
 * job's highest seq and the digest of every stored event (all the replay
 * filter reads): without them a redelivered or replayed event the bot
 * already dropped would look new here and be shown as if it had just happened.
 */
import Database from 'better-sqlite3';
import type { Clock, Random } from '../clock.js';
import type { JobRow } from '../jobs/job.js';
import { JobRegistry } from '../jobs/registry.js';
import { BOT_MIGRATIONS } from '../store/bot-schema.js';
import { type Db, migrate } from '../store/sqlite.js';

export function shadowRegistry(rows: JobRow[], clock: Clock, random: Random, source: Db): JobRegistry {
  const db = new Database(':memory:');
  migrate(db, BOT_MIGRATIONS);
  // Live jobs only: the status is 'running' whatever the bot says, as any live state accepts events.
  const insert = db.prepare(
    `INSERT INTO jobs (id, status, profile, prompt, runner, cwd, owner, auth, token, created_at, updated_at, max_seq)
     VALUES (@id, 'running', @profile, @prompt, @runner, @cwd, @owner, @auth, @token, @created_at, @updated_at, @max_seq)`,
  );
  // Only (seq, digest) decide duplicate vs forgery; the rest of the row is never read here.
  const copyEvent = db.prepare(
    `INSERT INTO events (job_id, seq, event, timestamp, received_at, wire, digest, verified)
     VALUES (?, ?, '', '', '', '', ?, 0)`,
  );
  const readEvents = source.prepare('SELECT seq, digest FROM events WHERE job_id = ?');
  db.transaction(() => {
    for (const r of rows) {
      insert.run({ ...r, max_seq: r.max_seq ?? null });
      for (const e of readEvents.all(r.id) as Array<{ seq: number; digest: string }>) {
        copyEvent.run(r.id, e.seq, e.digest);
      }
    }
  })();
  return new JobRegistry(db, clock, random);
}
