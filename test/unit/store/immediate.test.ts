/** immediate(): BEGIN IMMEDIATE with prepared statements, rollback on failure, savepoints inside. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, immediate } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

let db: Db;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (v INTEGER)');
});
afterEach(() => db.close());

const values = () => (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((r) => r.v);

describe('immediate', () => {
  it('commits what fn wrote and returns its result', () => {
    const r = immediate(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      return 'done';
    });
    expect(r).toBe('done');
    expect(values()).toEqual([1]);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls everything back when fn throws, and rethrows', () => {
    expect(() =>
      immediate(db, () => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(values()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    immediate(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
    expect(values()).toEqual([2]);
  });

  it('nested in a transaction it is a savepoint: an inner failure undoes only the inner writes', () => {
    immediate(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(() =>
        immediate(db, () => {
          db.prepare('INSERT INTO t VALUES (2)').run();
          throw new Error('inner');
        }),
      ).toThrow('inner');
      db.prepare('INSERT INTO t VALUES (3)').run();
    });
    expect(values()).toEqual([1, 3]);
  });

  it('gives up with SQLITE_BUSY while another connection holds the write lock, and works after', () => {
    const t = tempHome();
    try {
      const file = join(t.home, 'busy.db');
      const a = new Database(file);
      const b = new Database(file, { timeout: 0 });
      a.exec('CREATE TABLE t (v INTEGER)');
      a.exec('BEGIN IMMEDIATE');
      expect(() => immediate(b, () => b.prepare('INSERT INTO t VALUES (1)').run(), 3)).toThrow(
        expect.objectContaining({ code: 'SQLITE_BUSY' }),
      );
      expect(b.inTransaction).toBe(false);
      a.exec('COMMIT');
      immediate(b, () => b.prepare('INSERT INTO t VALUES (1)').run());
      expect(a.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
      a.close();
      b.close();
    } finally {
      t.cleanup();
    }
  });
});
