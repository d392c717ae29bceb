/**
 * Process leases in SQLite: "only one bot (or runner) per $HERMES_HOME".
 * A lease is held by pid@host and renewed by a heartbeat; a lease whose
 * holder is a dead local pid, or whose heartbeat is stale, can be taken over.
 * SQLite rather than flock because flock on NFS is the flaw we replace.
 */
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { HermesError } from '../errors.js';
import { type Db, immediate } from './sqlite.js';

export interface Lease {
  renew(): void;
  release(): void;
}

export interface LeaseOptions {
  staleAfterMs?: number;
  pid?: number;
  host?: string;
  isAlive?: (pid: number) => boolean;
}

const defaultIsAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function acquireLease(db: Db, name: string, clock: Clock, opts: LeaseOptions = {}): Lease {
  const pid = opts.pid ?? process.pid;
  const host = opts.host ?? hostname();
  const stale = opts.staleAfterMs ?? 30_000;
  const isAlive = opts.isAlive ?? defaultIsAlive;
  db.exec(`CREATE TABLE IF NOT EXISTS process_leases (
    name TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, heartbeat_at INTEGER NOT NULL)`);
  immediate(db, () => {
    const cur = db.prepare('SELECT pid, host, heartbeat_at FROM process_leases WHERE name = ?').get(name) as
      | { pid: number; host: string; heartbeat_at: number }
      | undefined;
    if (cur && !(cur.pid === pid && cur.host === host)) {
      const dead = cur.host === host && !isAlive(cur.pid);
      const expired = clock.now() - cur.heartbeat_at > stale;
      if (!dead && !expired) {
        throw new HermesError(
          'locked',
          `another hermes ${name} (pid ${cur.pid} on ${cur.host}) is using this HERMES_HOME`,
          {
            hint: `stop it first, or give this one its own HERMES_HOME`,
          },
        );
      }
    }
    db.prepare(
      `INSERT INTO process_leases (name, pid, host, heartbeat_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at`,
    ).run(name, pid, host, clock.now());
  });
  return {
    renew() {
      db.prepare('UPDATE process_leases SET heartbeat_at = ? WHERE name = ? AND pid = ? AND host = ?').run(
        clock.now(),
        name,
        pid,
        host,
      );
    },
    release() {
      db.prepare('DELETE FROM process_leases WHERE name = ? AND pid = ? AND host = ?').run(name, pid, host);
    },
  };
}
