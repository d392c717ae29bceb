import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from '../../src/clock.js';
import { JobRegistry } from '../../src/jobs/registry.js';
import { silentLogger } from '../../src/log.js';
import { openBotDb } from '../../src/store/bot-db.js';
import { tempHome } from '../helpers/cli.js';

const WORKER = join(import.meta.dirname, '..', 'fixtures', 'claim-worker.mjs');
let cleanup: () => void = () => {};
afterEach(() => cleanup());

function worker(home: string, runner: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, home, runner], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`worker ${code}: ${err}`)),
    );
  });
}

describe('claims across OS processes', () => {
  it('4 processes claiming 2000 jobs from one file: each claimed exactly once, none lost', async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const db = openBotDb({ home: t.home, sqlite_journal: 'auto' }, silentLogger);
    const registry = new JobRegistry(db, systemClock, systemRandom);
    const ids = new Set<string>();
    db.transaction(() => {
      for (let i = 0; i < 2000; i++)
        ids.add(registry.register({ profile: 'demo', runner: 'r1', owner: 'test' }).id);
      for (let i = 0; i < 50; i++) registry.register({ profile: 'demo', runner: 'other', owner: 'test' });
    })();
    const results = await Promise.all([1, 2, 3, 4].map(() => worker(t.home, 'r1')));
    const all = results.flat();
    expect(new Set(all).size).toBe(all.length); // no job twice
    expect(new Set(all)).toEqual(ids); // none lost, none of another runner
    expect(registry.list({ status: 'pending', runner: 'r1' })).toHaveLength(0);
    expect(registry.list({ status: 'pending', runner: 'other' })).toHaveLength(50);
    expect(registry.list({ status: 'dispatched' })).toHaveLength(2000);
    db.close();
  });
});
