import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import { botFixture } from './support.js';

let f: ReturnType<typeof botFixture>;
beforeEach(() => {
  f = botFixture();
});
afterEach(() => f.close());

const cleared = (jobId: string) => f.cleared(jobId);

describe('bot core: requests and retained decisions of ended jobs', () => {
  it('a terminal event closes open requests stamped hermes:job-ended with the time, and clears retained decisions', async () => {
    const job = f.registry.register({ profile: 'demo', owner: 'o' });
    await f.event(job.id, 'permission_required', { request_id: 'r-1', tool: 'Bash', input: {} });
    await f.event(job.id, 'permission_required', { request_id: 'r-2', tool: 'Write', input: {} });
    await f.core.decisions.decide({ jobId: job.id, requestId: 'r-1', decision: 'approve', by: 'cli:alice' });
    expect(f.retained(job.id).map((p) => [p.topic, p.payload !== ''])).toEqual([
      [`hermes/jobs/${job.id}/decisions/r-1`, true],
    ]);
    f.clock.advance(1000);
    expect((await f.event(job.id, 'completed')).verdict).toBe('accepted');

    expect(permissionRequest(f.db, job.id, 'r-2')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
      decided_at: new Date(f.clock.now()).toISOString(),
      reason: 'closed: the job ended (completed)',
      published_at: null,
    });
    // Both topics are cleared, with nothing published for the closed request before.
    expect(f.retained(job.id).slice(1)).toEqual([
      { topic: `hermes/jobs/${job.id}/decisions/r-1`, payload: '', retain: true },
      { topic: `hermes/jobs/${job.id}/decisions/r-2`, payload: '', retain: true },
    ]);
    expect(cleared(job.id)).toBe(new Date(f.clock.now()).toISOString());
  });

  it('a job cancelled by another process (hermes jobs cancel) is noticed by the tick: requests closed, retained decisions cleared', async () => {
    const job = f.registry.register({ profile: 'demo', owner: 'o' });
    await f.event(job.id, 'permission_required', { request_id: 'r-1', tool: 'Bash', input: {} });
    await f.core.decisions.decide({ jobId: job.id, requestId: 'r-1', decision: 'approve', by: 'cli:alice' });
    await f.event(job.id, 'permission_required', { request_id: 'r-2', tool: 'Bash', input: {} });

    const cli = openBotDb(f.config, silentLogger);
    try {
      new JobRegistry(cli, f.clock, systemRandom).cancel(job.id, 'cancelled from the CLI');
    } finally {
      cli.close();
    }
    expect(permissionRequest(f.db, job.id, 'r-2')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
    });
    const before = f.bus.published.length;
    // Long after r-2's deadline: no "expired, denied" decision goes out for the dead job.
    f.clock.advance(24 * 3600_000);
    await f.core.tick();
    expect(f.bus.published.slice(before)).toEqual([
      { topic: `hermes/jobs/${job.id}/decisions/r-1`, payload: '', retain: true },
      { topic: `hermes/jobs/${job.id}/decisions/r-2`, payload: '', retain: true },
    ]);
    expect(cleared(job.id)).not.toBeNull();
    await f.core.tick();
    expect(f.bus.published).toHaveLength(before + 2);
  });
});
