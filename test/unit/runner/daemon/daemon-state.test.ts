import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { silentLogger } from '../../../../src/log.js';
import { type Db, openDatabase } from '../../../../src/store/sqlite.js';

describe('DaemonState', () => {
  let dir: string;
  let db: Db;
  const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-dstate-'));
    db = openDatabase(join(dir, 'runner.db'), { log: silentLogger });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out status and result seqs that only increase, across reopen', () => {
    const a = new DaemonState(db, 'k', clock);
    expect(a.reserveStatusSeqs(2)).toBe(1);
    expect(a.reserveStatusSeqs(1)).toBe(3);
    expect(a.nextResultSeq()).toBe(1);
    expect(a.nextResultSeq()).toBe(2);
    const b = new DaemonState(db, 'k', clock);
    expect(b.reserveStatusSeqs(2)).toBe(4);
    expect(b.nextResultSeq()).toBe(3);
  });

  it('claims a job once and records how its start went', () => {
    const s = new DaemonState(db, 'k', clock);
    expect(s.claimJob('j-1', 'token', 7)).toBe(true);
    expect(s.claimJob('j-1', 'none', 8)).toBe(false);
    expect(s.job('j-1')).toEqual({ jobId: 'j-1', auth: 'token', state: 'starting', detail: null });
    s.setJobState('j-1', 'failed', 'program x is not installed');
    expect(s.job('j-1')).toMatchObject({ state: 'failed', detail: 'program x is not installed' });
    expect(s.job('j-2')).toBeUndefined();
  });
});
