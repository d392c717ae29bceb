import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import {
  chooseJournalMode,
  filesystemTypeOf,
  journalModeOf,
  migrate,
  openDatabase,
} from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';
import { captureLog } from '../../helpers/log-capture.js';

let cleanup = () => {};
afterEach(() => cleanup());

const MOUNTS = [
  'proc /proc proc rw 0 0',
  '/dev/vda / ext4 rw 0 0',
  'server:/export /mnt/shared nfs4 rw 0 0',
  '//host/share /mnt/smb cifs rw 0 0',
  'me@host:/x /mnt/my\\040ssh fuse.sshfs rw 0 0',
].join('\n');

describe('sqlite opening', () => {
  it('finds the filesystem of a path from the longest mount point', () => {
    expect(filesystemTypeOf('/mnt/shared/hermes', MOUNTS)).toBe('nfs4');
    expect(filesystemTypeOf('/mnt/sharedother', MOUNTS)).toBe('ext4');
    expect(filesystemTypeOf('/mnt/smb', MOUNTS)).toBe('cifs');
    expect(filesystemTypeOf('/mnt/my ssh/a', MOUNTS)).toBe('fuse.sshfs');
    expect(filesystemTypeOf('/home/u', MOUNTS)).toBe('ext4');
  });

  it('uses WAL locally and DELETE on a network filesystem, and logs the fallback', () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const fakeNfs = `${MOUNTS}\nsrv:/x ${t.home} nfs rw 0 0`;
    expect(chooseJournalMode(join(t.home, 'x.db'), 'auto', fakeNfs)).toEqual({
      mode: 'delete',
      fsType: 'nfs',
    });
    const { log, lines } = captureLog();
    const db = openDatabase(join(t.home, 'x.db'), { log, mountTable: fakeNfs });
    expect(journalModeOf(db)).toBe('delete');
    expect(lines().some((l) => l.level === 40 && String(l.msg).includes('network filesystem'))).toBe(true);
    db.close();
    const local = openDatabase(join(t.home, 'y.db'), { log, mountTable: MOUNTS });
    expect(journalModeOf(local)).toBe('wal');
    expect(local.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(local.pragma('foreign_keys', { simple: true })).toBe(1);
    local.close();
  });

  it('sets synchronous=NORMAL in both journal modes (safe with WAL, and far fewer fsyncs than FULL)', () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const log = createLogger({ level: 'silent' });
    for (const journal of ['wal', 'delete'] as const) {
      const db = openDatabase(join(t.home, `${journal}.db`), { log, journal });
      // PRAGMA synchronous reads back as a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      db.close();
    }
  });

  it('an override forces the mode', () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const db = openDatabase(join(t.home, 'z.db'), {
      log: createLogger({ level: 'silent' }),
      journal: 'delete',
    });
    expect(journalModeOf(db)).toBe('delete');
    db.close();
  });

  it('migrates by user_version, once, and refuses a newer schema', () => {
    const t = tempHome();
    cleanup = t.cleanup;
    mkdirSync(t.home, { recursive: true });
    const file = join(t.home, 'm.db');
    const log = createLogger({ level: 'silent' });
    let db = openDatabase(file, { log });
    migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']);
    migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    db = openDatabase(file, { log });
    expect(() => migrate(db, ['CREATE TABLE a (x)'])).toThrow(/newer than this Hermes/);
    db.close();
  });

  it('creates the database and its WAL files 0600 whatever the umask', () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const file = join(t.home, 'fresh.db');
    const old = process.umask(0);
    try {
      const db = openDatabase(file, { log: createLogger({ level: 'silent' }) });
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      for (const f of [file, `${file}-wal`, `${file}-shm`])
        expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
      db.close();
    } finally {
      process.umask(old);
    }
  });
});
