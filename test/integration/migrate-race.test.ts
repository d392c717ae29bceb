/**
 * Several processes opening one database right after an upgrade (the bot, a CLI command, watch):
 * each applies the pending migrations, none applies a step twice (ALTER TABLE ADD COLUMN would
 * fail the second time), and every one ends at the same schema.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_MIGRATIONS } from '../../src/store/bot-schema.js';
import { tempHome } from '../helpers/cli.js';

const WORKER = join(import.meta.dirname, '..', 'fixtures', 'open-bot-db-worker.mjs');
let cleanup: () => void = () => {};
afterEach(() => cleanup());

function opener(home: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('migrations across OS processes', () => {
  it('6 processes opening a database one schema behind at once: all succeed, each step once', {
    timeout: 60_000,
  }, async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    for (let round = 0; round < 3; round++) {
      // A database as the previous release left it: every migration but the last.
      const file = join(t.home, 'hermes.db');
      const old = new Database(file);
      old.pragma('journal_mode = WAL');
      for (const [v, sql] of BOT_MIGRATIONS.slice(0, -1).entries()) {
        old.exec(sql);
        old.pragma(`user_version = ${v + 1}`);
      }
      old.close();
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => opener(t.home)));
      for (const r of results) {
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(Number(r.out)).toBe(BOT_MIGRATIONS.length);
      }
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    }
  });
});
