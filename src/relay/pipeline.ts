/**
 * The relay pipeline for one message on `{p}/jobs/{id}/events`:
 * size -> parse -> schema -> known job -> signature -> terminal -> replay ->
 * freshness. The first failing step names the verdict. Steps from "known job"
 * on run inside one BEGIN IMMEDIATE transaction together with the store
 * writes, so the replay state and the job state can never disagree, even with
 * two bot processes on one database.
 */

import { createHash } from 'node:crypto';
import { type Clock, isoTime } from '../clock.js';
import { isHermesError } from '../errors.js';
import type { JobRow } from '../jobs/job.js';
import { errorReason } from '../jobs/refusal.js';
import type { JobRegistry } from '../jobs/registry.js';
import { isTerminalState, stateAfterEvent } from '../jobs/states.js';
import { canonicalize } from '../protocol/canonical.js';
import { getPath, type JsonObject, toPlain } from '../protocol/lossless-json.js';
import { asUtc, EventEnvelope, formatIssues, hasUtcOffset, isTerminalEvent } from '../protocol/schemas.js';
import { SIG_FIELD, signatureOf, signingInput, verifySignature } from '../protocol/signing.js';
import { ID_RE } from '../protocol/topics.js';
import { decodeWire } from '../protocol/wire.js';
import { immediate, prepared } from '../store/sqlite.js';
import { dropped, type Verdict } from './verdict.js';

export interface RelaySettings {
  maxPayloadBytes: number;
  clockSkewSeconds: number;
  replayWindow: number;
  /** Default lifetime of a permission request that names no expires_at. */
  approvalTimeoutSeconds: number;
  /** relay.naive_timestamps: a time without offset is read as UTC (noted in the audit) or dropped. */
  naiveTimestamps?: 'utc' | 'reject';
  /** relay.max_seq_jump: a seq further than this above the job's highest is dropped (seq_jump). */
  maxSeqJump?: number;
}

export const DEFAULT_MAX_SEQ_JUMP = 1_000_000;

export interface AcceptedEvent {
  jobId: string;
  seq: number;
  event: EventEnvelope['event'];
  timestamp: string;
  detail: string | undefined;
  /** data without hmac_sig, as plain JS (numbers as doubles: for logic, never for display). */
  data: Record<string, unknown>;
  /** The same data losslessly: what was signed, for anything shown to a person. */
  dataTree: JsonObject;
  verified: boolean;
  statusBefore: JobRow['status'];
  statusAfter: JobRow['status'];
}

export type Outcome = Verdict & { accepted?: AcceptedEvent };

/**
 * An empty payload on an events topic is how a retained message is cleared (the runner clears a
 * job's terminal event after its linger); anyone may send one, so it is a drop like any other,
 * which callers may report quietly.
 */
export const EMPTY_PAYLOAD = 'empty payload (a cleared retained message)';

export function evaluateMessage(
  registry: JobRegistry,
  settings: RelaySettings,
  clock: Clock,
  topicJobId: string | undefined,
  payload: Uint8Array,
): Outcome {
  if (payload.length === 0) return dropped('malformed', EMPTY_PAYLOAD);
  let tree: JsonObject;
  try {
    tree = decodeWire(payload, settings.maxPayloadBytes);
  } catch (e) {
    if (isHermesError(e, 'too_large')) return dropped('too_large', e.message);
    return dropped('malformed', isHermesError(e) ? e.message : 'unparseable payload');
  }
  const parsed = EventEnvelope.safeParse(toPlain(tree));
  if (!parsed.success) return dropped('schema', formatIssues(parsed.error), peek(tree));
  const env = parsed.data;
  const ids = { jobId: env.job_id, seq: env.seq, event: env.event };
  const topicCheck = checkTopicJob(topicJobId, env.job_id);
  if (topicCheck) return dropped('schema', topicCheck, ids);
  const naive = naiveTimes(env);
  if (naive.length > 0 && settings.naiveTimestamps === 'reject') {
    return dropped(
      'schema',
      `${naive.join(', ')}: timestamp has no UTC offset (relay.naive_timestamps is reject)`,
      ids,
    );
  }
  // Said in the audit line of whatever this message becomes: the bot read a time as UTC.
  const note = naive.length > 0 ? `${naive.join(', ')} had no UTC offset; read as UTC` : undefined;
  const noted = <T extends Outcome>(o: T): T => (note ? { ...o, note } : o);
  // The signed text plus the signature identifies the content; computed once, used twice.
  const input = signingInput(tree);
  const sig = signatureOf(tree);
  const digest = createHash('sha256')
    .update(input)
    .update('\n')
    .update(sig ?? '')
    .digest('hex');
  const db = registry.db;

  return immediate(db, (): Outcome => noted(decide()));

  function decide(): Outcome {
    const job = registry.row(env.job_id);
    if (!job) return dropped('unknown_job', `no job ${env.job_id} is registered`, ids);
    let verified = false;
    if (job.auth === 'token') {
      if (!verifySignature(input, sig, job.token!))
        return dropped('bad_signature', 'signature missing or does not match', ids);
      verified = true;
    }
    const stored = prepared(db, 'SELECT digest FROM events WHERE job_id = ? AND seq = ?').get(
      env.job_id,
      env.seq,
    ) as { digest: string } | undefined;
    if (isTerminalState(job.status)) {
      // A retained terminal event redelivered after a restart is a quiet duplicate, not an alarm.
      if (stored?.digest === digest)
        return dropped('duplicate', 'already accepted (redelivery)', { ...ids, verified });
      return dropped('after_terminal', `job ${job.id} is already ${job.status}`, { ...ids, verified });
    }
    if (stored) {
      const same = stored.digest === digest;
      return dropped(
        'duplicate',
        same ? 'already accepted (redelivery)' : 'different content under an accepted seq',
        {
          ...ids,
          verified,
          conflict: !same,
        },
      );
    }
    if (job.max_seq !== null && env.seq < job.max_seq - settings.replayWindow) {
      return dropped(
        'replay',
        `seq ${env.seq} is more than ${settings.replayWindow} below the highest seen (${job.max_seq})`,
        {
          ...ids,
          verified,
        },
      );
    }
    const jump = settings.maxSeqJump ?? DEFAULT_MAX_SEQ_JUMP;
    if (env.seq > (job.max_seq ?? 0) + jump) {
      return dropped(
        'seq_jump',
        `seq ${env.seq} is more than ${jump} above the highest seen (${job.max_seq ?? 'none yet'})`,
        { ...ids, verified },
      );
    }
    const now = clock.now();
    if (!isTerminalEvent(env.event)) {
      const skew = Math.abs(now - Date.parse(asUtc(env.timestamp))) / 1000;
      if (skew > settings.clockSkewSeconds) {
        return dropped(
          'stale',
          `timestamp is ${Math.round(skew)} s from the bot's clock (allowed ${settings.clockSkewSeconds} s)`,
          {
            ...ids,
            verified,
          },
        );
      }
    }
    const data = { ...(env.data as Record<string, unknown>) };
    delete data[SIG_FIELD];
    const dataTree: JsonObject = new Map(getPath(tree, 'data') as JsonObject);
    dataTree.delete(SIG_FIELD);
    const statusAfter = store(
      registry,
      job,
      env,
      data,
      dataTree,
      digest,
      verified,
      payload,
      isoTime(now),
      settings,
    );
    return {
      verdict: 'accepted',
      ...ids,
      verified,
      accepted: {
        jobId: job.id,
        seq: env.seq,
        event: env.event,
        timestamp: asUtc(env.timestamp),
        detail: env.detail,
        data,
        dataTree,
        verified,
        statusBefore: job.status,
        statusAfter,
      },
    };
  }
}

/** Why the topic's job level does not name this event's job, or undefined when it does. */
function checkTopicJob(topicJobId: string | undefined, jobId: string): string | undefined {
  if (topicJobId === undefined) return undefined;
  if (!ID_RE.test(topicJobId))
    return `the topic's job level ${JSON.stringify(topicJobId.slice(0, 140))} is not a valid job id`;
  if (topicJobId !== jobId) return `job_id ${jobId} does not match the topic's job ${topicJobId}`;
  return undefined;
}

/** Which of the event's times are naive (no offset), by field name. */
function naiveTimes(env: EventEnvelope): string[] {
  const out = hasUtcOffset(env.timestamp) ? [] : ['timestamp'];
  const expires = (env.data as { expires_at?: unknown }).expires_at;
  if (typeof expires === 'string' && !hasUtcOffset(expires)) out.push('data.expires_at');
  return out;
}

function store(
  registry: JobRegistry,
  job: JobRow,
  env: EventEnvelope,
  data: Record<string, unknown>,
  dataTree: JsonObject,
  digest: string,
  verified: boolean,
  payload: Uint8Array,
  now: string,
  settings: RelaySettings,
): JobRow['status'] {
  const db = registry.db;
  prepared(
    db,
    `INSERT INTO events (job_id, seq, event, timestamp, received_at, detail, wire, digest, verified)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    job.id,
    env.seq,
    env.event,
    asUtc(env.timestamp),
    now,
    env.detail ?? null,
    Buffer.from(payload).toString('utf8'),
    digest,
    verified ? 1 : 0,
  );
  prepared(db, 'UPDATE jobs SET max_seq = MAX(COALESCE(max_seq, ?), ?) WHERE id = ?').run(
    env.seq,
    env.seq,
    job.id,
  );

  if (env.event === 'permission_required') {
    const expires =
      typeof data.expires_at === 'string'
        ? new Date(Date.parse(asUtc(data.expires_at))).toISOString()
        : new Date(Date.parse(now) + settings.approvalTimeoutSeconds * 1000).toISOString();
    prepared(
      db,
      `INSERT INTO permission_requests (job_id, request_id, seq, tool, input, detail, requested_at, expires_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING`,
    ).run(
      job.id,
      data.request_id,
      env.seq,
      data.tool,
      // Canonical text: the lexemes that were signed (2**64+1, 1.0), so what a person approves is
      // exactly what will run. canonicalize is what the signature covers.
      canonicalize(dataTree.get('input') ?? null),
      env.detail ?? null,
      now,
      expires,
    );
  }
  // Only `started` looks at open requests (it must not end a wait): count them only then.
  const open =
    env.event === 'started'
      ? (
          prepared(
            db,
            `SELECT COUNT(*) AS n FROM permission_requests WHERE job_id = ? AND status = 'pending'`,
          ).get(job.id) as { n: number }
        ).n
      : 0;
  const next = stateAfterEvent(job.status, env.event, open, data);
  const changed = next !== undefined && next !== job.status;
  // A terminal event always changes the state; applyTransition then closes the job's open requests
  // (expired, stamped hermes:job-ended and the time), as it does for every ending.
  // An error's reason says what the agent said and, after a deny, who denied what and why.
  if (changed)
    registry.applyTransition(
      job,
      next,
      env.event === 'error' ? errorReason(db, job.id, env.detail) : undefined,
    );
  return changed ? next : job.status;
}

function peek(tree: JsonObject): Partial<Verdict> {
  const jobId = tree.get('job_id');
  const seq = toPlain(tree.get('seq') ?? null);
  const event = tree.get('event');
  return {
    jobId: typeof jobId === 'string' ? jobId.slice(0, 128) : undefined,
    seq: typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined,
    event: typeof event === 'string' ? event.slice(0, 64) : undefined,
  };
}
