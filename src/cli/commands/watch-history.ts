/**
 * What `hermes watch` shows of a job's past: the events the bot stored before the watch began
 * (it verified them when they arrived), in seq order, so a watch started late still tells the
 * whole story. Events the bot stores while the subscription is being made are caught up once it
 * is in place; seqs already shown are never shown again.
 */
import type { Writable } from 'node:stream';
import type { AcceptedEvent } from '../../relay/pipeline.js';
import { type Db, prepared } from '../../store/sqlite.js';
import { printEvent, storedData } from './watch-print.js';

interface StoredEvent {
  seq: number;
  event: string;
  timestamp: string;
  detail: string | null;
  wire: string;
  verified: number;
}

/** Seqs shown so far, per job. */
export type Shown = Map<string, Set<number>>;

export function markShown(shown: Shown, jobId: string, seq: number): boolean {
  const seqs = shown.get(jobId) ?? new Set<number>();
  shown.set(jobId, seqs);
  if (seqs.has(seq)) return false;
  seqs.add(seq);
  return true;
}

/**
 * Prints the job's stored events not shown yet, oldest first; returns the terminal event printed
 * (completed or error), if any.
 */
export function printStored(
  out: Writable,
  json: boolean,
  db: Db,
  jobId: string,
  shown: Shown,
): 'completed' | 'error' | undefined {
  const rows = prepared(
    db,
    'SELECT seq, event, timestamp, detail, wire, verified FROM events WHERE job_id = ? ORDER BY seq',
  ).all(jobId) as StoredEvent[];
  let terminal: 'completed' | 'error' | undefined;
  for (const r of rows) {
    if (!markShown(shown, jobId, r.seq)) continue;
    printEvent(out, json, {
      jobId,
      seq: r.seq,
      event: r.event as AcceptedEvent['event'],
      timestamp: r.timestamp,
      detail: r.detail ?? undefined,
      dataTree: storedData(r.wire),
      verified: r.verified === 1,
    });
    if (r.event === 'completed' || r.event === 'error') terminal = r.event;
  }
  return terminal;
}
