import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckOptions, checkCommand } from '../../../../runner/daemon/command-check.js';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { buildRunnerCommand } from '../../../../src/bot/runner-commands.js';
import { systemRandom } from '../../../../src/clock.js';
import { silentLogger } from '../../../../src/log.js';
import { type Db, openDatabase } from '../../../../src/store/sqlite.js';

const KEY = 'Zm9yLXRlc3RzLW9ubHktcnVubmVyLWtleS0wMTIzNDU2';
const T0 = Date.parse('2026-06-21T10:00:00.000Z');

describe('checkCommand', () => {
  let dir: string;
  let db: Db;
  let now: number;
  const clock = { now: () => now };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-cmdcheck-'));
    db = openDatabase(join(dir, 'runner.db'), { log: silentLogger });
    now = T0;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (over: Partial<CheckOptions> = {}): CheckOptions => ({
    runnerId: 'r1',
    key: KEY,
    gate: new DaemonState(db, 'key-a', clock),
    clock,
    maxBytes: 65536,
    skewMs: 300_000,
    ...over,
  });

  const command = (seq: number, o: { key?: string; runnerId?: string; at?: number } = {}) => {
    const at = o.at ?? now;
    return Buffer.from(
      buildRunnerCommand(
        'hermes',
        {
          runnerId: o.runnerId ?? 'r1',
          runnerKey: o.key ?? KEY,
          seq,
          command: 'cancel',
          jobId: 'j-1',
          data: {},
        },
        { now: () => at },
        systemRandom,
      ).wire,
    );
  };

  it('accepts a signed command once, in increasing seq order, and remembers across a reopen', () => {
    const o = options();
    const first = checkCommand(command(1), o);
    expect(first).toMatchObject({ ok: true, ageMs: 0, command: { event: 'cancel', job_id: 'j-1', seq: 1 } });
    expect(checkCommand(command(1), o)).toMatchObject({ ok: false, reason: 'replay', seq: 1 });
    expect(checkCommand(command(3), o).ok).toBe(true);
    expect(checkCommand(command(2), o)).toMatchObject({ ok: false, reason: 'replay' });
    // A restarted daemon (a new DaemonState on the same file) opens no replay window.
    const again = options({ gate: new DaemonState(db, 'key-a', clock) });
    const r = checkCommand(command(3), again);
    expect(r).toMatchObject({ ok: false, reason: 'replay' });
    expect(!r.ok && r.detail).toMatch(/not above the last accepted seq 3/);
    // A new key (runner init --force) starts its own count.
    expect(checkCommand(command(1), options({ gate: new DaemonState(db, 'key-b', clock) })).ok).toBe(true);
  });

  it('drops a forgery without using up its seq', () => {
    const o = options();
    expect(checkCommand(command(5, { key: 'x'.repeat(43) }), o)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      jobId: 'j-1',
      seq: 5,
    });
    expect(checkCommand(command(5), o).ok).toBe(true);
  });

  it('drops commands for another runner, from the future, malformed, too large or off-schema', () => {
    const o = options();
    expect(checkCommand(command(1, { runnerId: 'r2' }), o)).toMatchObject({
      ok: false,
      reason: 'wrong_runner',
      detail: 'addressed to runner r2, this is r1',
    });
    expect(checkCommand(command(2, { at: T0 + 301_000 }), o)).toMatchObject({ ok: false, reason: 'future' });
    expect(checkCommand(Buffer.from('{"event":'), o)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkCommand(Buffer.from('x'.repeat(70_000)), o)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
    expect(checkCommand(Buffer.from('{"event":"start","schema_version":1}'), o)).toMatchObject({
      ok: false,
      reason: 'schema',
    });
    // None of these used a seq.
    expect(checkCommand(command(1), o).ok).toBe(true);
  });

  it('reports the age of an old command (the handler decides what is too late)', () => {
    const r = checkCommand(command(1, { at: T0 - 3_600_000 }), options());
    expect(r).toMatchObject({ ok: true, ageMs: 3_600_000 });
  });
});
