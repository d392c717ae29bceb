/**
 * Migrations of the runner's database (`$HERMES_HOME/runner.db`). Append only:
 * each entry runs once, in order, tracked by PRAGMA user_version.
 */
export const RUNNER_MIGRATIONS: readonly string[] = [
  // 1: sessions and the reconcile lease
  `
  CREATE TABLE sessions (
    name                TEXT PRIMARY KEY,
    job_id              TEXT NOT NULL UNIQUE,
    profile             TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'terminated', 'archived')),
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    -- when the job's terminal event (completed / error) was seen
    ended_at            TEXT,
    stopped_at          TEXT,
    terminated_at       TEXT,
    archived_at         TEXT,
    exit_status         INTEGER,
    last_event          TEXT,
    last_event_at       TEXT,
    cwd                 TEXT,
    pane_pid            INTEGER,
    note                TEXT,
    -- an error event the runner owes the job (session vanished, agent exited
    -- without a terminal event); kept until it is published
    vanish_detail       TEXT,
    vanish_reported_at  TEXT
  );
  CREATE INDEX sessions_status ON sessions (status, created_at);

  -- One row at most: who runs reconcile now, until when (ms since the epoch).
  CREATE TABLE reconcile_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL,
    acquired_at  INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
  );
  `,
];
