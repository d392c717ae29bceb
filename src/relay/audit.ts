/**
 * The audit log: one NDJSON line per message received, accepted or not,
 * in `$HERMES_HOME/audit/events.ndjson` (0600). Writes are synchronous so a
 * crash never loses a line that was reported as written.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface AuditRecord {
  received_at: string;
  topic: string;
  /** gap*: a hole in a job's accepted seqs (src/bot/gap-watch.ts), not a message. */
  verdict: 'accepted' | 'dropped' | 'gap' | 'gap_repaired' | 'gap_unrepaired';
  reason?: string;
  job_id?: string;
  seq?: number;
  event?: string;
  verified?: boolean;
  detail?: string;
  [extra: string]: unknown;
}

export interface AuditSink {
  write(record: AuditRecord): void;
  close(): void;
}

export const auditPath = (home: string, name = 'events.ndjson'): string => join(home, 'audit', name);

export function openAuditLog(file: string): AuditSink {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  let open = true;
  return {
    write(record) {
      if (open) writeSync(fd, `${JSON.stringify(record)}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** An in-memory sink for tests and for commands that only need the verdicts. */
export function memoryAudit(): AuditSink & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { records, write: (r) => void records.push(r), close: () => {} };
}
