import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { type RunOutcome, ScheduleService } from '../../../src/schedules/schedule-service.js';
import { type NewSchedule, ScheduleStore } from '../../../src/schedules/schedule-store.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';
import { fakeCron } from '../../helpers/fake-cron.js';

const NIGHTLY: NewSchedule = {
  cron: '0 3 * * *',
  profile: 'demo',
  runner: 'local',
  repo: 'app',
  prompt: 'bump dependencies',
  owner: 'slack:U0ALICE',
  chat: { platform: 'slack', channel: 'C1' },
  overlap: 'skip',
};

describe('schedules', () => {
  let home: ReturnType<typeof tempHome>;
  let db: Db;
  let t: ReturnType<typeof fakeCron>;
  let registry: JobRegistry;
  let store: ScheduleStore;
  let outcomes: RunOutcome[];
  let kicks: number;

  beforeEach(() => {
    home = tempHome();
    db = openBotDb(loadConfig({ env: { HERMES_HOME: home.home } }), silentLogger);
    t = fakeCron('2026-06-21T01:00:00Z');
    registry = new JobRegistry(db, t.clock, systemRandom);
    store = new ScheduleStore(db, t.clock, systemRandom);
    outcomes = [];
    kicks = 0;
  });
  afterEach(() => {
    db.close();
    home.cleanup();
  });

  const service = (catchUpSeconds = 3600) =>
    new ScheduleService({
      store,
      registry,
      cron: t.cron,
      clock: t.clock,
      log: silentLogger,
      timeZone: 'UTC',
      catchUpSeconds,
      kick: () => kicks++,
      onOutcome: (_s, r) => outcomes.push(r),
    });

  it('registers a job at each scheduled time, owned by the creator, in its channel', () => {
    const s = store.add(NIGHTLY);
    const svc = service();
    expect(svc.start()).toEqual([]);
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    const [job] = registry.list();
    expect(job).toMatchObject({
      profile: 'demo',
      runner: 'local',
      repo: 'app',
      prompt: 'bump dependencies',
      owner: 'slack:U0ALICE',
      chat: { platform: 'slack', channel: 'C1', thread: null },
      status: 'pending',
    });
    expect(store.require(s.id)).toMatchObject({ lastRunAt: '2026-06-21T03:00:00.000Z', lastJobId: job!.id });
    expect(kicks).toBe(1);
    svc.stop();
  });

  it('skips a run while the previous job is still running, and says so', () => {
    const s = store.add(NIGHTLY);
    const svc = service();
    svc.start();
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    t.fireAt('0 3 * * *', '2026-06-22T03:00:00Z');
    expect(registry.list()).toHaveLength(1);
    expect(outcomes.at(-1)).toMatchObject({
      scheduleId: s.id,
      outcome: 'skipped',
      reason: `job ${registry.list()[0]!.id} is still running`,
    });
    // Once it ended, the next time runs.
    registry.cancel(registry.list()[0]!.id, 'test');
    t.fireAt('0 3 * * *', '2026-06-23T03:00:00Z');
    expect(registry.list()).toHaveLength(2);
    svc.stop();
  });

  it('overlap queue runs once when the previous job ends; allow runs side by side', () => {
    const q = store.add({ ...NIGHTLY, overlap: 'queue' });
    const svc = service();
    svc.start();
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    t.fireAt('0 3 * * *', '2026-06-22T03:00:00Z');
    t.fireAt('0 3 * * *', '2026-06-23T03:00:00Z');
    expect(outcomes.at(-1)?.outcome).toBe('queued');
    expect(svc.tick()).toEqual([]);
    registry.cancel(registry.list()[0]!.id, 'test');
    expect(svc.tick()).toMatchObject([{ scheduleId: q.id, outcome: 'registered' }]);
    expect(svc.tick()).toEqual([]);
    expect(registry.list()).toHaveLength(2);
    svc.stop();
    store.remove(q.id);
    store.add({ ...NIGHTLY, cron: '0 4 * * *', overlap: 'allow' });
    const svc2 = service();
    svc2.start();
    t.fireAt('0 4 * * *', '2026-06-24T04:00:00Z');
    t.fireAt('0 4 * * *', '2026-06-25T04:00:00Z');
    expect(registry.list()).toHaveLength(4);
    svc2.stop();
  });

  it('catch-up after a restart: the latest missed time runs once if less late than catch_up_seconds', () => {
    store.add({ ...NIGHTLY, cron: '*/10 * * * *' });
    // The bot was down from 01:00 to 01:35: 01:10, 01:20 and 01:30 were missed.
    t.set('2026-06-21T01:35:00Z');
    const svc = service();
    const ran = svc.start();
    expect(ran).toMatchObject([{ outcome: 'registered', at: '2026-06-21T01:30:00.000Z' }]);
    expect(registry.list()).toHaveLength(1); // no backlog
    svc.stop();
    // A second restart does not run it again.
    expect(service().start()).toEqual([]);
  });

  it('no catch-up when the missed time is older than catch_up_seconds, or the schedule is paused', () => {
    const s = store.add(NIGHTLY);
    t.set('2026-06-21T05:00:00Z'); // 03:00 was missed two hours ago
    const late = service();
    expect(late.start()).toEqual([]);
    late.stop();
    t.set('2026-06-21T03:30:00Z');
    store.setPaused(s.id, true);
    const svc = service();
    expect(svc.start()).toEqual([]);
    expect(t.live()).toEqual([]);
    store.setPaused(s.id, false);
    svc.tick(); // a resume from the CLI is picked up on the next tick
    expect(t.live()).toEqual(['0 3 * * *']);
    svc.stop();
  });
});
