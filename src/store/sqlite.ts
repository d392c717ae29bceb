/**
 * Opening a SQLite file the way every Hermes process does: WAL unless the file
 * sits on a network filesystem (WAL's shared memory does not work across
 * hosts there), a busy timeout, foreign keys, and migrations by user_version.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HermesError } from '../errors.js';
import type { Logger } from '../log.js';

export type Db = Database.Database;
export type JournalSetting = 'auto' | 'wal' | 'delete';

const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'fuse.sshfs',
  'sshfs',
  '9p',
  'afs',
  'ceph',
  'fuse.glusterfs',
  'lustre',
]);

export interface OpenOptions {
  log: Logger;
  /** `auto` reads the mount table; `wal` / `delete` force a mode. */
  journal?: JournalSetting;
  /** Contents of the mount table, for tests (default: /proc/self/mounts). */
  mountTable?: string;
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/** Filesystem type of the mount that holds `path` (longest matching mount point). */
export function filesystemTypeOf(path: string, mountTable: string): string | undefined {
  let best: { point: string; type: string } | undefined;
  for (const line of mountTable.split('\n')) {
    const [, rawPoint, type] = line.split(' ');
    if (!rawPoint || !type) continue;
    const point = rawPoint.replace(/\\040/g, ' ');
    const inside = path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (!best || point.length > best.point.length)) best = { point, type };
  }
  return best?.type;
}

export function isNetworkFilesystem(type: string | undefined): boolean {
  return type !== undefined && NETWORK_FS.has(type);
}

function readMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

export function chooseJournalMode(
  file: string,
  setting: JournalSetting,
  mountTable: string,
): { mode: 'wal' | 'delete'; fsType?: string } {
  if (setting === 'wal') return { mode: 'wal' };
  if (setting === 'delete') return { mode: 'delete' };
  const fsType = filesystemTypeOf(realpathSync(dirname(file)), mountTable);
  return isNetworkFilesystem(fsType) ? { mode: 'delete', fsType } : { mode: 'wal', fsType };
}

export function openDatabase(file: string, opts: OpenOptions): Db {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created = !existsSync(file);
  // Created 0600 before SQLite opens it (its -wal / -shm / -journal files take the same mode):
  // creating it with the umask's mode and chmodding after would leave a moment in which another
  // local user could open it and keep the descriptor (the outbox holds tool inputs).
  if (created && !opts.readonly) {
    try {
      closeSync(openSync(file, 'wx', 0o600));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new HermesError('store', `cannot create database ${file}: ${(e as Error).message}`, {
          cause: e,
          hint: 'check that the directory is writable, or set HERMES_HOME',
        });
    }
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (cause) {
    throw new HermesError('store', `cannot open database ${file}: ${(cause as Error).message}`, {
      cause,
      hint: 'check that the directory exists and is writable, or set HERMES_HOME',
    });
  }
  if (created && !opts.readonly) chmodSync(file, 0o600);
  try {
    configure(db, file, opts);
  } catch (cause) {
    db.close();
    throw new HermesError('store', `cannot use database ${file}: ${(cause as Error).message}`, {
      cause,
      hint: 'is it a Hermes database? move it aside or point HERMES_HOME elsewhere',
    });
  }
  return db;
}

function configure(db: Db, file: string, opts: OpenOptions): void {
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  db.pragma('foreign_keys = ON');
  if (!opts.readonly) {
    const { mode, fsType } = chooseJournalMode(file, opts.journal ?? 'auto', opts.mountTable ?? readMounts());
    const got = String(db.pragma(`journal_mode = ${mode}`, { simple: true })).toLowerCase();
    if (mode === 'delete' && opts.journal !== 'delete') {
      opts.log.warn(
        { file, fsType, journal: got },
        'database on a network filesystem: WAL disabled, using journal_mode=DELETE',
      );
    } else {
      opts.log.debug({ file, fsType, journal: got }, 'database opened');
    }
    db.pragma('synchronous = NORMAL');
    if (got === 'wal') db.pragma('wal_autocheckpoint = 10000');
  }
}

export function journalModeOf(db: Db): string {
  return String(db.pragma('journal_mode', { simple: true })).toLowerCase();
}

/** Apply migrations[i] for every i >= user_version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly string[]): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > migrations.length) {
    throw new HermesError(
      'store',
      `database schema version ${current} is newer than this Hermes (${migrations.length})`,
      {
        hint: 'upgrade Hermes or point HERMES_HOME elsewhere',
      },
    );
  }
  for (let v = current; v < migrations.length; v++) {
    immediate(db, () => {
      // Another process may have applied this step since we looked (a bot and a CLI command
      // started together after an upgrade): decide under the write lock, so no step runs twice.
      if (Number(db.pragma('user_version', { simple: true })) > v) return;
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    });
  }
}

/**
 * Run fn in a BEGIN IMMEDIATE transaction. SQLITE_BUSY after the busy timeout
 * is retried a few times: the busy handler is not fair under contention.
 * Inside a transaction already, fn runs in a savepoint (better-sqlite3's nesting).
 * BEGIN / COMMIT / ROLLBACK are prepared once per connection: wrapping fn with
 * db.transaction() on every call cost more than the relay's own work per event.
 */
export function immediate<T>(db: Db, fn: () => T, attempts = 5): T {
  if (db.inTransaction) return db.transaction(fn)();
  for (let i = 1; ; i++) {
    try {
      prepared(db, 'BEGIN IMMEDIATE').run();
    } catch (e) {
      if (isBusy(e) && i < attempts) continue;
      throw e;
    }
    try {
      const result = fn();
      prepared(db, 'COMMIT').run();
      return result;
    } catch (e) {
      if (db.inTransaction) prepared(db, 'ROLLBACK').run();
      if (isBusy(e) && i < attempts) continue;
      throw e;
    }
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection: preparing costs more than running. */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}
