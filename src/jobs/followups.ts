/**
 * Follow-ups for a job's agent (`/hermes reply`, `/hermes done`, a message in the job's thread,
 * `hermes jobs reply`): checked against the job here, then kept in `job_followups` until the
 * dispatch pass has handed them to the job's runner as signed `followup` commands. Whether a job
 * takes them is what its wrapper said in its `started` event (`data.followup`, from the profile).
 */
import type { Clock } from '../clock.js';
import { isoTime } from '../clock.js';
import { HermesError } from '../errors.js';
import { MAX_FOLLOWUP_CHARS } from '../protocol/schemas.js';
import { type Db, immediate, prepared } from '../store/sqlite.js';
import type { JobRegistry } from './registry.js';
import { isTerminalState } from './states.js';

export type FollowupKind = 'reply' | 'done';
export type FollowupMode = 'resume' | 'keys' | 'none';

export interface QueuedFollowup {
  id: number;
  jobId: string;
  runner: string;
  kind: FollowupKind;
  text: string;
  by: string;
}

/** How the job's agent takes follow-ups, as its wrapper announced in the latest `started` event. */
export function followupModeOf(db: Db, jobId: string): FollowupMode {
  const row = prepared(
    db,
    `SELECT json_extract(wire, '$.data.followup') AS mode FROM events
     WHERE job_id = ? AND event = 'started' AND json_valid(wire) ORDER BY seq DESC LIMIT 1`,
  ).get(jobId) as { mode: unknown } | undefined;
  return row?.mode === 'resume' || row?.mode === 'keys' ? row.mode : 'none';
}

/** Why the job's agent takes no follow-ups, if its wrapper said (`data.followup_reason` of `started`). */
function followupReasonOf(db: Db, jobId: string): string | undefined {
  const row = prepared(
    db,
    `SELECT json_extract(wire, '$.data.followup_reason') AS why FROM events
     WHERE job_id = ? AND event = 'started' AND json_valid(wire) ORDER BY seq DESC LIMIT 1`,
  ).get(jobId) as { why: unknown } | undefined;
  return typeof row?.why === 'string' && row.why !== '' ? row.why.slice(0, 300) : undefined;
}

/**
 * Checks a follow-up against the job and queues it. `queued` says it waits for the current turn
 * to end (the job is running). Refusals are HermesErrors a person can read.
 */
export function queueFollowup(
  registry: JobRegistry,
  clock: Clock,
  input: { jobId: string; kind: FollowupKind; text?: string; by: string },
): { queued: boolean; mode: FollowupMode } {
  const db = registry.db;
  const text = (input.text ?? '').trim();
  if (input.kind === 'reply' && text === '') throw new HermesError('usage', 'give the text of the reply');
  if ([...text].length > MAX_FOLLOWUP_CHARS) {
    throw new HermesError('usage', `a reply may be at most ${MAX_FOLLOWUP_CHARS} characters`);
  }
  if (text.includes('\0')) throw new HermesError('usage', 'a reply must not contain NUL characters');
  return immediate(db, () => {
    const job = registry.require(input.jobId);
    if (isTerminalState(job.status)) {
      throw new HermesError(
        'after_terminal',
        `${job.id} has ended (${job.status}); it takes no more replies`,
        {
          hint: 'register a new job',
        },
      );
    }
    if (job.status === 'pending' || job.status === 'dispatched') {
      throw new HermesError('forbidden', `${job.id} has not started yet; reply once it has`);
    }
    const mode = followupModeOf(db, job.id);
    if (mode === 'none') {
      const why = followupReasonOf(db, job.id);
      throw new HermesError(
        'forbidden',
        `${job.id}: profile ${job.profile} takes no follow-ups${why ? ` (${why})` : ''}`,
      );
    }
    if (input.kind === 'done' && mode !== 'resume') {
      throw new HermesError('forbidden', `${job.id} does not wait between turns; use cancel to stop it`);
    }
    prepared(db, 'INSERT INTO job_followups (job_id, kind, text, by, created_at) VALUES (?, ?, ?, ?, ?)').run(
      job.id,
      input.kind,
      text,
      input.by,
      isoTime(clock.now()),
    );
    return { queued: mode === 'resume' && job.status !== 'idle', mode };
  });
}

/** Follow-ups not yet handed to a runner, oldest first. Those of jobs that ended are dropped. */
export function unsentFollowups(db: Db, limit = 50): QueuedFollowup[] {
  prepared(
    db,
    `UPDATE job_followups SET sent_at = 'dropped: the job ended'
     WHERE sent_at IS NULL AND job_id IN (SELECT id FROM jobs WHERE status IN ('completed', 'error', 'cancelled'))`,
  ).run();
  return (
    prepared(
      db,
      `SELECT f.id, f.job_id AS jobId, j.runner, f.kind, f.text, f.by FROM job_followups f
       JOIN jobs j ON j.id = f.job_id WHERE f.sent_at IS NULL ORDER BY f.id LIMIT ?`,
    ).all(limit) as QueuedFollowup[]
  ).map((r) => ({ ...r }));
}

/** Marked before the publish: a bot that dies in between loses the reply rather than send it twice. */
export function markFollowupSent(db: Db, id: number, at: string | null): void {
  prepared(db, 'UPDATE job_followups SET sent_at = ? WHERE id = ?').run(at, id);
}
