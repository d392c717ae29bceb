import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { owesErrorEvent } from '../../../runner/session-record.js';
import { canTransition, SESSION_STATES } from '../../../runner/session-states.js';
import { openSessionStore, runnerDbPath, type SessionStore } from '../../../runner/session-store.js';
import { isHermesError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { journalModeOf } from '../../../src/store/sqlite.js';

const T0 = Date.parse('2026-06-21T10:00:00.000Z');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('SessionStore', () => {
  let home: string;
  let now: number;
  let store: SessionStore;
  const clock = { now: () => now };
  const open = () => openSessionStore({ home, log: silentLogger, clock });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-store-'));
    now = T0;
    store = open();
  });
  afterEach(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates runner.db in WAL mode and migrates idempotently', () => {
    expect(journalModeOf(store.db)).toBe('wal');
    store.create({ jobId: 'j-1', profile: 'claude' });
    store.close();
    store = open();
    expect(store.get('hermes-j-1')?.jobId).toBe('j-1');
    expect(runnerDbPath(home)).toBe(join(home, 'runner.db'));
  });

  it('falls back to journal_mode=DELETE when told (network filesystem)', () => {
    const other = openSessionStore({ home: join(home, 'nfs'), log: silentLogger, clock, journal: 'delete' });
    expect(journalModeOf(other.db)).toBe('delete');
    other.close();
  });

  it('creates running sessions named after their jobs, one per job', () => {
    const s = store.create({ jobId: 'j-1', profile: 'claude', cwd: '/w', panePid: 42 });
    expect(s).toMatchObject({
      name: 'hermes-j-1',
      jobId: 'j-1',
      profile: 'claude',
      status: 'running',
      createdAt: '2026-06-21T10:00:00.000Z',
      startedAt: '2026-06-21T10:00:00.000Z',
      cwd: '/w',
      panePid: 42,
      endedAt: null,
      exitStatus: null,
    });
    expect(store.getByJob('j-1')?.name).toBe('hermes-j-1');
    expect(store.require('j-1').name).toBe('hermes-j-1');
    expect(store.require('hermes-j-1').jobId).toBe('j-1');
    expect(() => store.require('nope')).toThrow(/no session named nope/);
    expect(() => store.create({ jobId: 'j-1', profile: 'x' })).toThrow(/already has session hermes-j-1/);
    expect(() => store.create({ jobId: 'j-2', profile: 'x', name: 'hermes-j-1' })).toThrow(
      /already has session/,
    );
  });

  it('lists by status in creation order', () => {
    for (const id of ['j-a', 'j-b', 'j-c']) {
      store.create({ jobId: id, profile: 'p' });
      now += 1000;
    }
    store.markStopped('hermes-j-b');
    expect(store.list().map((s) => s.jobId)).toEqual(['j-a', 'j-b', 'j-c']);
    expect(store.list({ status: 'running' }).map((s) => s.jobId)).toEqual(['j-a', 'j-c']);
    expect(store.list({ status: ['stopped', 'terminated'] }).map((s) => s.jobId)).toEqual(['j-b']);
  });

  it('allows only the legal transitions, and says which one was refused', () => {
    store.create({ jobId: 'j-1', profile: 'p' });
    const err = thrown(() => store.markArchived('hermes-j-1'));
    expect(isHermesError(err, 'illegal_transition')).toBe(true);
    expect((err as Error).message).toBe('session hermes-j-1 is running; it cannot become archived');

    now += 1000;
    expect(store.markStopped('hermes-j-1', { exitStatus: 3, note: 'agent exited' })).toMatchObject({
      status: 'stopped',
      stoppedAt: '2026-06-21T10:00:01.000Z',
      exitStatus: 3,
      note: 'agent exited',
    });
    expect(() => store.markStopped('hermes-j-1')).toThrow(/stopped; it cannot become stopped/);
    expect(store.markTerminated('hermes-j-1').status).toBe('terminated');
    expect(store.markArchived('hermes-j-1').status).toBe('archived');
    expect(() => store.markTerminated('hermes-j-1')).toThrow(/archived; it cannot become terminated/);
    expect(() => store.markStopped('nope')).toThrow(/no session named nope/);
  });

  it('has one transition table: archived is final, nothing goes back to running', () => {
    for (const from of SESSION_STATES) {
      expect(canTransition(from, 'running')).toBe(false);
      expect(canTransition('archived', from)).toBe(false);
    }
    expect(canTransition('running', 'terminated')).toBe(true);
    expect(canTransition('stopped', 'archived')).toBe(false);
  });

  it('records events: the latest by time, and the first terminal one as ended_at', () => {
    store.create({ jobId: 'j-1', profile: 'p' });
    expect(store.recordEvent('j-unknown', 'started')).toBeUndefined();
    store.recordEvent('j-1', 'progress', T0 + 5000);
    store.recordEvent('j-1', 'started', T0 + 1000); // late redelivery: does not become "last"
    expect(store.get('hermes-j-1')).toMatchObject({ lastEvent: 'progress', endedAt: null });
    store.recordEvent('j-1', 'completed', T0 + 9000);
    store.recordEvent('j-1', 'error', T0 + 12_000);
    expect(store.get('hermes-j-1')).toMatchObject({
      lastEvent: 'error',
      lastEventAt: '2026-06-21T10:00:12.000Z',
      endedAt: '2026-06-21T10:00:09.000Z',
    });
  });

  it('keeps an owed error event until it is reported', () => {
    store.create({ jobId: 'j-1', profile: 'p' });
    store.create({ jobId: 'j-2', profile: 'p' });
    store.markStopped('hermes-j-1', { note: 'session vanished', owedError: 'session vanished' });
    store.markStopped('hermes-j-2', { owedError: 'agent exited with status 1' });
    expect(store.owingErrorEvents().map((s) => s.jobId)).toEqual(['j-1', 'j-2']);

    // j-2's own terminal event arrives late: nothing is owed any more.
    store.recordEvent('j-2', 'completed');
    expect(owesErrorEvent(store.get('hermes-j-2')!)).toBe(false);

    now += 60_000;
    const s = store.markErrorReported('hermes-j-1');
    expect(s).toMatchObject({ lastEvent: 'error', endedAt: '2026-06-21T10:01:00.000Z' });
    expect(s.vanishReportedAt).toBe('2026-06-21T10:01:00.000Z');
    expect(store.owingErrorEvents()).toEqual([]);
    expect(() => store.markErrorReported('hermes-j-1')).toThrow(/owes no error event/);
  });

  describe('reconcile lease', () => {
    it('excludes a second holder, in another connection too, until release or expiry', () => {
      const other = open();
      try {
        expect(store.tryAcquireLease('a', 60_000)).toEqual({
          acquired: true,
          holder: 'a',
          expiresAt: T0 + 60_000,
        });
        expect(other.tryAcquireLease('b', 60_000)).toEqual({
          acquired: false,
          holder: 'a',
          expiresAt: T0 + 60_000,
        });
        // not re-entrant: the same holder cannot run two passes at once either
        expect(store.tryAcquireLease('a', 60_000).acquired).toBe(false);
        other.releaseLease('b'); // not b's to release
        expect(other.tryAcquireLease('b', 60_000).acquired).toBe(false);
        store.releaseLease('a');
        expect(other.tryAcquireLease('b', 60_000).acquired).toBe(true);
        now += 60_001; // b died without releasing: its lease runs out
        expect(store.tryAcquireLease('c', 1000)).toMatchObject({ acquired: true, holder: 'c' });
      } finally {
        other.close();
      }
    });
  });
});
