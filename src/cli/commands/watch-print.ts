/** What `hermes watch` prints: accepted events, and how a job ended when no event says so. */
import type { Writable } from 'node:stream';
import type { JobRow } from '../../jobs/job.js';
import { displayJson } from '../../protocol/display-json.js';
import { fromPlain, getPath, type JsonObject } from '../../protocol/lossless-json.js';
import { SIG_FIELD } from '../../protocol/signing.js';
import { decodeWire } from '../../protocol/wire.js';
import type { AcceptedEvent } from '../../relay/pipeline.js';
import { type Db, prepared } from '../../store/sqlite.js';
import { writeJson, writeLine } from '../context.js';

type Shown = Pick<
  AcceptedEvent,
  'jobId' | 'seq' | 'event' | 'timestamp' | 'detail' | 'dataTree' | 'verified'
>;

/** One line per event; data (and a permission request's input) with the lexemes that were signed. */
export function printEvent(out: Writable, json: boolean, e: Shown): void {
  if (json) {
    const tree = fromPlain({
      job_id: e.jobId,
      seq: e.seq,
      event: e.event,
      timestamp: e.timestamp,
      detail: e.detail ?? null,
      data: null,
      verified: e.verified,
    }) as JsonObject;
    tree.set('data', e.dataTree);
    writeLine(out, displayJson(tree));
  } else {
    const input = e.event === 'permission_required' ? requestLine(e.dataTree) : '';
    writeLine(
      out,
      `${e.timestamp} ${e.jobId} #${e.seq} ${e.event}${e.detail ? `: ${e.detail}` : ''}${input}${e.verified ? '' : ' [unverified]'}`,
    );
  }
}

/** ` [Bash {"command":"npm test"}]`: the tool and its input as signed. */
function requestLine(data: JsonObject): string {
  const tool = data.get('tool');
  return ` [${typeof tool === 'string' ? tool : '?'} ${displayJson(data.get('input') ?? null)}]`;
}

/** A stored event's data as signed (lexemes kept), without the signature. */
export function storedData(wire: string): JsonObject {
  const data = getPath(decodeWire(wire, Number.MAX_SAFE_INTEGER), 'data');
  const tree: JsonObject = data instanceof Map ? new Map(data) : new Map();
  tree.delete(SIG_FIELD);
  return tree;
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
    const dataTree = storedData(stored.wire);
    printEvent(out, json, {
      jobId: row.id,
      seq: stored.seq,
      event: stored.event,
      timestamp: stored.timestamp,
      detail: stored.detail ?? undefined,
      dataTree,
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
