/**
 * The bot's gap watch on a real bot database: a hole is acted on only after the grace period,
 * audited with its range, asked of the runner once; a refusal (or no fill within the repair wait)
 * makes it unrepairable, reported exactly once; a filled hole is audited as repaired.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GapWatch } from '../../../src/bot/gap-watch.js';
import { isoTime, systemRandom } from '../../../src/clock.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import type { AuditRecord } from '../../../src/relay/audit.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

let db: Db;
let cleanup: () => void;
let now: number;
let jobId: string;
const clock = { now: () => now };

const addEvent = (seq: number, receivedAt = now) =>
  db
    .prepare(
      `INSERT INTO events (job_id, seq, event, timestamp, received_at, detail, wire, digest, verified)
       VALUES (?, ?, 'progress', ?, ?, NULL, '{}', ?, 1)`,
    )
    .run(jobId, seq, isoTime(receivedAt), isoTime(receivedAt), `d${seq}`);

function watch(answer: { ok: boolean; reason?: string }) {
  const audit: AuditRecord[] = [];
  const asked: Array<[string, number, number]> = [];
  const reported: unknown[] = [];
  const w = new GapWatch({
    db,
    clock,
    log: silentLogger,
    audit: { write: (r) => audit.push(r), close: () => {} },
    resend: async (j, from, to) => {
      asked.push([j, from, to]);
      return answer;
    },
    onUnrepaired: (g) => reported.push(g),
    graceMs: 5_000,
    repairWaitMs: 30_000,
  });
  return { w, audit, asked, reported };
}
const settle = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  const t = tempHome();
  cleanup = t.cleanup;
  db = openBotDb({ home: t.home, sqlite_journal: 'auto' }, silentLogger);
  now = Date.parse('2026-06-21T10:00:00Z');
  jobId = new JobRegistry(db, clock, systemRandom).register({
    profile: 'demo',
    owner: 'test',
    auth: { kind: 'generate' },
  }).id;
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('gap watch', () => {
  it('waits out the grace period, then audits and asks for the range once; a fill is audited as repaired', async () => {
    const { w, audit, asked, reported } = watch({ ok: true });
    addEvent(1);
    addEvent(5);
    await w.scan();
    expect(asked).toEqual([]);
    now += 6_000;
    await w.scan();
    await w.scan();
    await settle();
    expect(asked).toEqual([[jobId, 2, 4]]);
    // Half through the resend: what is left open is still the same gap, not a new one.
    addEvent(2);
    now += 6_000;
    await w.scan();
    await settle();
    expect(asked).toHaveLength(1);
    for (const s of [3, 4]) addEvent(s);
    await w.scan();
    expect(audit.map((r) => [r.verdict, r.from, r.to])).toEqual([
      ['gap', 2, 4],
      ['gap_repaired', 2, 4],
    ]);
    expect(reported).toEqual([]);
    expect(w.counts).toEqual({ detected: 1, repaired: 1, unrepaired: 0 });
  });

  it('a runner that no longer has the events makes the gap unrepairable, reported once', async () => {
    const { w, audit, reported } = watch({ ok: false, reason: 'none of these events is in the outbox' });
    addEvent(11);
    addEvent(58, now - 10_000);
    await w.scan();
    await settle();
    now += 60_000;
    await w.scan();
    await settle();
    expect(reported).toEqual([{ jobId, from: 12, to: 57, reason: 'none of these events is in the outbox' }]);
    expect(audit.map((r) => r.verdict)).toEqual(['gap', 'gap_unrepaired']);
    expect(w.counts.unrepaired).toBe(1);
  });

  it('a resend that never fills the hole is unrepairable after the repair wait', async () => {
    const { w, reported } = watch({ ok: true });
    addEvent(1, now - 10_000);
    addEvent(3, now - 10_000);
    await w.scan();
    await settle();
    now += 10_000;
    await w.scan();
    expect(reported).toEqual([]);
    now += 30_000;
    await w.scan();
    await w.scan();
    expect(reported).toHaveLength(1);
  });
});
