/**
 * Migrations of the local relay's outbox. Kept in its own file
 * (`$HERMES_HOME/outbox.db`) rather than runner.db: the outbox is written on
 * every agent event while sessions change rarely, so neither waits on the
 * other's write lock, and the two schemas evolve without sharing one
 * user_version. Append only.
 */
import { join } from 'node:path';

export const outboxDbPath = (home: string): string => join(home, 'outbox.db');

export const OUTBOX_MIGRATIONS: readonly string[] = [
  // 1: one row per accepted event; forwarded in id order; kept a while after sending so an
  // agent's retry of the same (job, seq) is recognised as a duplicate.
  `
  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    wire        TEXT NOT NULL,
    retain      INTEGER NOT NULL CHECK (retain IN (0, 1)),
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    UNIQUE (job_id, seq)
  );
  CREATE INDEX outbox_pending ON outbox (state, id);
  CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';
  `,
];
