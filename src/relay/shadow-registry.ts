/**
 * A private in-memory copy of some jobs, for observers (`hermes watch`) that
 * verify and replay-filter exactly as the bot does without touching the
 * bot's replay state. Jobs start live with no seq seen, so retained terminal
 * events of jobs that already ended are accepted once.
 */
import Database from 'better-sqlite3';
import type { Clock, Random } from '../clock.js';
import type { JobRow } from '../jobs/job.js';
import { JobRegistry } from '../jobs/registry.js';
import { BOT_MIGRATIONS } from '../store/bot-schema.js';
import { migrate } from '../store/sqlite.js';

export function shadowRegistry(rows: JobRow[], clock: Clock, random: Random): JobRegistry {
  const db = new Database(':memory:');
  migrate(db, BOT_MIGRATIONS);
  const insert = db.prepare(
    `INSERT INTO jobs (id, status, profile, prompt, runner, cwd, owner, auth, token, created_at, updated_at)
     VALUES (@id, 'running', @profile, @prompt, @runner, @cwd, @owner, @auth, @token, @created_at, @updated_at)`,
  );
  for (const r of rows) insert.run(r);
  return new JobRegistry(db, clock, random);
}
