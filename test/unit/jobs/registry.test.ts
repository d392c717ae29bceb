import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, Random } from '../../../src/clock.js';
import { isHermesError } from '../../../src/errors.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { canTransition, JOB_STATES } from '../../../src/jobs/states.js';
import { silentLogger } from '../../../src/log.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

let db: Db;
let registry: JobRegistry;
let cleanup: () => void;
let now = Date.parse('2026-06-21T10:00:00Z');
const clock: Clock = { now: () => now };
let counter = 0;
const random: Random = { bytes: (n) => Buffer.alloc(n, ++counter), float: () => 0.5 };

beforeEach(() => {
  const t = tempHome();
  cleanup = t.cleanup;
  db = openBotDb({ home: t.home, sqlite_journal: 'auto' }, silentLogger);
  registry = new JobRegistry(db, clock, random);
});
afterEach(() => {
  db.close();
  cleanup();
});

const errCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isHermesError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('job registry', () => {
  it('generates a 32-byte base64url token by default and never shows it in the job', () => {
    const job = registry.register({ profile: 'demo', owner: 'cli:me' });
    expect(job.auth).toBe('token');
    expect(job.status).toBe('pending');
    expect(job.runner).toBe('local');
    expect(JSON.stringify(job)).not.toContain(registry.tokenOf(job.id)!);
    const token = registry.tokenOf(job.id)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('takes a given token, refuses a weak one, and allows no token only when asked', () => {
    const j = registry.register({
      profile: 'demo',
      owner: 'o',
      auth: { kind: 'given', token: 'a-given-token-0123456789' },
    });
    expect(registry.tokenOf(j.id)).toBe('a-given-token-0123456789');
    expect(
      errCode(() =>
        registry.register({ profile: 'demo', owner: 'o', auth: { kind: 'given', token: 'short' } }),
      ),
    ).toBe('usage');
    const n = registry.register({ profile: 'demo', owner: 'o', auth: { kind: 'none' } });
    expect(n.auth).toBe('none');
    expect(registry.tokenOf(n.id)).toBeNull();
  });

  it('validates profile and runner names', () => {
    expect(errCode(() => registry.register({ profile: 'Bad Profile', owner: 'o' }))).toBe('usage');
    expect(errCode(() => registry.register({ profile: 'demo', runner: 'a/b', owner: 'o' }))).toBe('usage');
  });

  it('allows only the transitions of the table and stamps times', () => {
    const j = registry.register({ profile: 'demo', owner: 'o' });
    now += 1000;
    expect(registry.transition(j.id, 'running').startedAt).toBe('2026-06-21T10:00:01.000Z');
    expect(registry.transition(j.id, 'completed').endedAt).toBe('2026-06-21T10:00:01.000Z');
    expect(errCode(() => registry.transition(j.id, 'running'))).toBe('illegal_transition');
    expect(errCode(() => registry.cancel(j.id))).toBe('illegal_transition');
    expect(registry.require(j.id).status).toBe('completed');
    expect(errCode(() => registry.transition('j-missing', 'running'))).toBe('unknown_job');
  });

  it('has no way out of a terminal state', () => {
    for (const from of ['completed', 'error', 'cancelled'] as const) {
      for (const to of JOB_STATES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('claims the oldest pending job of the runner, once', () => {
    const a = registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
    now += 1;
    const b = registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
    registry.register({ profile: 'demo', runner: 'r2', owner: 'o' });
    expect(registry.claim('r1')?.id).toBe(a.id);
    expect(registry.claim('r1')?.id).toBe(b.id);
    expect(registry.claim('r1')).toBeUndefined();
    expect(registry.require(a.id).status).toBe('dispatched');
  });
});
