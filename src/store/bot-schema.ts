/**
 * Migrations of the bot's database (`$HERMES_HOME/hermes.db`). Append only:
 * each entry runs once, in order, tracked by PRAGMA user_version.
 */
export const BOT_MIGRATIONS: readonly string[] = [
  // 1: jobs, events (the replay state), permission requests, runners
  `
  CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    status         TEXT NOT NULL,
    profile        TEXT NOT NULL,
    prompt         TEXT NOT NULL DEFAULT '',
    runner         TEXT NOT NULL,
    cwd            TEXT,
    owner          TEXT NOT NULL,
    auth           TEXT NOT NULL CHECK (auth IN ('token', 'none')),
    token          TEXT,
    chat_platform  TEXT,
    chat_channel   TEXT,
    chat_thread    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    dispatched_at  TEXT,
    started_at     TEXT,
    ended_at       TEXT,
    max_seq        INTEGER,
    status_reason  TEXT,
    decision_seq   INTEGER NOT NULL DEFAULT 0,
    CHECK ((auth = 'token') = (token IS NOT NULL))
  );
  CREATE INDEX jobs_claim ON jobs (status, runner, created_at);

  CREATE TABLE events (
    job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    event        TEXT NOT NULL,
    timestamp    TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    detail       TEXT,
    wire         TEXT NOT NULL,
    digest       TEXT NOT NULL,
    verified     INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE permission_requests (
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    request_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    tool          TEXT NOT NULL,
    input         TEXT NOT NULL,
    detail        TEXT,
    requested_at  TEXT NOT NULL,
    expires_at    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    decided_by    TEXT,
    decided_at    TEXT,
    reason        TEXT,
    PRIMARY KEY (job_id, request_id)
  ) WITHOUT ROWID;
  CREATE INDEX permission_requests_pending ON permission_requests (status, expires_at);

  CREATE TABLE runners (
    id          TEXT PRIMARY KEY,
    key         TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'unknown',
    profiles    TEXT NOT NULL DEFAULT '[]',
    last_seen   TEXT,
    status_seq  INTEGER NOT NULL DEFAULT -1,
    command_seq INTEGER NOT NULL DEFAULT 0,
    result_seq  INTEGER NOT NULL DEFAULT -1,
    added_at    TEXT NOT NULL
  );
  `,
  // 2: decisions are an outbox: published_at stays NULL until the broker acknowledged the retained message
  `
  ALTER TABLE permission_requests ADD COLUMN published_at TEXT;
  ALTER TABLE permission_requests ADD COLUMN decision_seq INTEGER;
  ALTER TABLE permission_requests ADD COLUMN approve_scope TEXT;
  CREATE INDEX permission_requests_unpublished ON permission_requests (published_at) WHERE decided_at IS NOT NULL;
  `,
  // 3: chat state (src/chat/chat-state.ts): per job and platform, where its thread is and which
  // messages carry its card, progress status and permission requests; and which (job, seq) events
  // reached chat, so a restart posts into the same threads, keeps old buttons working and posts
  // nothing twice. `part` splits one event's deliveries (thread message, channel announcement, card).
  `
  CREATE TABLE chat_threads (
    job_id          TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    card_channel    TEXT NOT NULL,
    card_id         TEXT NOT NULL,
    thread_channel  TEXT NOT NULL,
    thread_id       TEXT NOT NULL,
    status_channel  TEXT,
    status_id       TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (job_id, platform)
  ) WITHOUT ROWID;

  CREATE TABLE chat_requests (
    job_id       TEXT NOT NULL,
    platform     TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    posted_at    TEXT NOT NULL,
    reminded_at  TEXT,
    final_at     TEXT,
    PRIMARY KEY (job_id, platform, request_id),
    FOREIGN KEY (job_id, request_id) REFERENCES permission_requests (job_id, request_id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX chat_requests_open ON chat_requests (platform, final_at);

  CREATE TABLE chat_deliveries (
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    platform      TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    part          TEXT NOT NULL CHECK (part IN ('thread', 'announce', 'card')),
    delivered_at  TEXT NOT NULL,
    PRIMARY KEY (job_id, platform, seq, part)
  ) WITHOUT ROWID;
  `,
  // 4: what the bot still owes a job after another process (or a crash) changed it. Ended jobs:
  // whether their retained decisions are cleared on the broker (src/bot/decision-service.ts).
  // Dispatched jobs: when the start was last sent, how often, and the runner's answer, so an
  // unanswered start is sent again. Jobs that owe their runner a cancel (cancelled after dispatch,
  // or ended by the bot while the runner may run them): since when, and the same for the cancel
  // command, with when it is next due (src/bot/command-ledger.ts).
  // Jobs that ended before this version owe no cancel (cancel_answer 'legacy': no burst of old
  // cancels at upgrade); those without permission requests have nothing retained to clear.
  // Requests of jobs that ended before this version were left pending (cancelled jobs) or expired
  // without a stamp: they are closed as endings close them now. Such closures (decided_by
  // hermes:job-ended) are never published, so they stay out of the unpublished index.
  `
  ALTER TABLE jobs ADD COLUMN decisions_cleared_at TEXT;
  ALTER TABLE jobs ADD COLUMN start_sent_at TEXT;
  ALTER TABLE jobs ADD COLUMN start_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN start_answer TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_sent_at TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN cancel_answer TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_owed_at TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_due_at TEXT;
  CREATE INDEX jobs_owed_cancels ON jobs (cancel_sent_at) WHERE cancel_owed_at IS NOT NULL AND cancel_answer IS NULL;
  UPDATE jobs SET cancel_answer = 'legacy' WHERE status IN ('completed', 'error', 'cancelled');
  UPDATE jobs SET decisions_cleared_at = COALESCE(ended_at, updated_at)
   WHERE status IN ('completed', 'error', 'cancelled')
     AND NOT EXISTS (SELECT 1 FROM permission_requests p WHERE p.job_id = jobs.id);
  UPDATE permission_requests
     SET status = 'expired',
         decided_by = 'hermes:job-ended',
         decided_at = (SELECT COALESCE(j.ended_at, j.updated_at) FROM jobs j WHERE j.id = permission_requests.job_id),
         reason = COALESCE(reason, 'closed: the job ended')
   WHERE decided_by IS NULL
     AND job_id IN (SELECT id FROM jobs WHERE status IN ('completed', 'error', 'cancelled'));
  DROP INDEX permission_requests_unpublished;
  CREATE INDEX permission_requests_unpublished ON permission_requests (decided_at)
   WHERE decided_at IS NOT NULL AND published_at IS NULL AND decided_by IS NOT 'hermes:job-ended';
  `,
  // 5: approval rules granted in chat for a job (src/jobs/granted-rules.ts writes both tables): who
  // granted which allow or deny rule when, on which request; and per permission request what the
  // bot worked out from the rules: the rule the "Approve <rule> for this job" button grants, the
  // static ask rule that matched (then no grant may answer it), and which granted rules decided it
  // automatically. Requests decided "for this job" before this version (approve_scope 'job') are
  // read as granted bare-tool rules; nothing is copied.
  `
  CREATE TABLE granted_rules (
    job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('allow', 'deny')),
    rule        TEXT NOT NULL,
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    request_id  TEXT,
    PRIMARY KEY (job_id, kind, rule)
  ) WITHOUT ROWID;

  CREATE TABLE request_rules (
    job_id         TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    proposed_rule  TEXT,
    ask_rule       TEXT,
    reason         TEXT,
    auto_decision  TEXT CHECK (auto_decision IN ('allow', 'deny')),
    auto_rules     TEXT,
    PRIMARY KEY (job_id, request_id),
    FOREIGN KEY (job_id, request_id) REFERENCES permission_requests (job_id, request_id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // 6: a job's own budget (`--max-cost`), sent with its start; the runner checks it at each turn's end.
  // Follow-ups (replies, done) for jobs' agents: an outbox the dispatch pass sends to the job's
  // runner as signed `followup` commands (src/jobs/followups.ts), whoever queued them (chat, CLI).
  `
  ALTER TABLE jobs ADD COLUMN max_cost_usd REAL;
  CREATE TABLE job_followups (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('reply', 'done')),
    text        TEXT NOT NULL DEFAULT '',
    by          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
  );
  CREATE INDEX job_followups_unsent ON job_followups (id) WHERE sent_at IS NULL;
  `,
  // 7: the repository a job runs on, each in a git worktree of its own (runner/worktrees/)
  `
  ALTER TABLE jobs ADD COLUMN repo TEXT;
  `,
  // 8: schedules (src/schedules/): a job registered at each time of a cron expression, owned by
  // whoever created the schedule, in the channel it was created in; the message in that channel
  // whose thread hears about skipped runs; the last scheduled time handled (catch-up after a
  // restart runs at most the latest missed one) and the job it registered; a run owed by overlap
  // `queue`.
  `
  CREATE TABLE schedules (
    id              TEXT PRIMARY KEY,
    cron            TEXT NOT NULL,
    profile         TEXT NOT NULL,
    runner          TEXT NOT NULL,
    repo            TEXT,
    prompt          TEXT NOT NULL,
    owner           TEXT NOT NULL,
    chat_platform   TEXT,
    chat_channel    TEXT,
    thread_channel  TEXT,
    thread_id       TEXT,
    overlap         TEXT NOT NULL CHECK (overlap IN ('skip', 'queue', 'allow')),
    paused          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    last_run_at     TEXT,
    last_job_id     TEXT,
    queued_at       TEXT
  );
  `,
  // 9: a message in a thread finds its job (follow-ups typed into the thread, src/chat/thread-reply.ts)
  `
  CREATE INDEX chat_threads_by_thread ON chat_threads (platform, thread_channel, thread_id);
  `,
  // 10: a job's static approval rules as its runner reported them with the accepted start
  // (src/jobs/job-policies.ts; the StartPolicyData of src/protocol/schemas.ts as JSON): what
  // `/hermes rules` lists from the job's start, hardline and profile rules included.
  `
  CREATE TABLE job_policies (
    job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    runner       TEXT NOT NULL,
    reported_at  TEXT NOT NULL,
    policy       TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 11: a cancel shown in chat (src/chat/event-delivery.ts ended()) is recorded as deliveries of
  // the reserved seq -1 (CANCEL_SEQ; event seqs are never negative), its thread line and its
  // announcement, so a cancel made with no bot running is shown when the bot starts, once. Jobs
  // cancelled before this version count as shown: no burst of old cancels at upgrade.
  `
  INSERT OR IGNORE INTO chat_deliveries (job_id, platform, seq, part, delivered_at)
    SELECT t.job_id, t.platform, -1, p.part, COALESCE(j.ended_at, j.updated_at)
      FROM chat_threads t JOIN jobs j ON j.id = t.job_id
      CROSS JOIN (SELECT 'thread' AS part UNION ALL SELECT 'announce') p
     WHERE j.status = 'cancelled';
  `,
];
