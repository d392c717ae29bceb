/** What `hermes watch` prints: accepted events, and how a job ended when no event says so. */
import type { Writable } from 'node:stream';
import type { JobRow } from '../../jobs/job.js';
import type { AcceptedEvent } from '../../relay/pipeline.js';
import { type Db, prepared } from '../../store/sqlite.js';
import { writeJson, writeLine } from '../context.js';

type Shown = Pick<AcceptedEvent, 'jobId' | 'seq' | 'event' | 'timestamp' | 'detail' | 'data' | 'verified'>;

export function printEvent(out: Writable, json: boolean, e: Shown): void {
  if (json) {
    writeJson(out, {
      job_id: e.jobId,
      seq: e.seq,
      event: e.event,
      timestamp: e.timestamp,
      detail: e.detail ?? null,
      data: e.data,
      verified: e.verified,
    });
  } else {
    writeLine(
      out,
      `${e.timestamp} ${e.jobId} #${e.seq} ${e.event}${e.detail ? `: ${e.detail}` : ''}${e.verified ? '' : ' [unverified]'}`,
    );
  }
}

interface StoredTerminal {
  seq: number;
  event: 'completed' | 'error';
  timestamp: string;
  detail: string | null;
  wire: string;
  verified: number;
}

/**
 * A job found ended in the bot's database: its stored terminal event when it has one (the
 * bot verified it), else a status line, as a job the bot ended itself (cancelled, a rejected
 * start) has no event to show.
 */
export function printEnded(out: Writable, json: boolean, db: Db, row: JobRow): void {
  const stored =
    row.status === 'cancelled'
      ? undefined
      : (prepared(
          db,
          `SELECT seq, event, timestamp, detail, wire, verified FROM events
           WHERE job_id = ? AND event IN ('completed', 'error') ORDER BY seq DESC LIMIT 1`,
        ).get(row.id) as StoredTerminal | undefined);
  if (stored) {
    // Display only, like the relay's own data: numbers as doubles are fine here.
    const { hmac_sig: _sig, ...data } =
      (JSON.parse(stored.wire) as { data?: Record<string, unknown> }).data ?? {};
    printEvent(out, json, {
      jobId: row.id,
      seq: stored.seq,
      event: stored.event,
      timestamp: stored.timestamp,
      detail: stored.detail ?? undefined,
      data,
      verified: stored.verified === 1,
    });
    return;
  }
  const at = row.ended_at ?? row.updated_at;
  if (json) writeJson(out, { job_id: row.id, status: row.status, reason: row.status_reason, ended_at: at });
  else
    writeLine(
      out,
      `${at} ${row.id} ended: ${row.status}${row.status_reason ? ` (${row.status_reason})` : ''}`,
    );
}
