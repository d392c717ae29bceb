import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecisionService } from '../../../src/bot/decision-service.js';
import { isHermesError } from '../../../src/errors.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { silentLogger } from '../../../src/log.js';
import { botFixture } from './support.js';

let f: ReturnType<typeof botFixture>;
beforeEach(() => {
  f = botFixture();
});
afterEach(() => f.close());

const cleared = (jobId: string) => f.cleared(jobId);

async function jobWithRequest(requestId = 'r-1') {
  const job = f.registry.register({ profile: 'demo', owner: 'o' });
  await f.event(job.id, 'permission_required', { request_id: requestId, tool: 'Bash', input: {} });
  return job;
}

describe('decision service', () => {
  it('a decision recorded while the broker is down is not published after the job ended: it is cleared instead', async () => {
    const job = await jobWithRequest();
    f.bus.down = true;
    await f.core.decisions.decide({ jobId: job.id, requestId: 'r-1', decision: 'approve', by: 'cli:alice' });
    expect(permissionRequest(f.db, job.id, 'r-1')?.published_at).toBeNull();
    f.registry.cancel(job.id, 'cancelled from the CLI');
    f.bus.down = false;
    await f.core.decisions.flush();
    expect(f.retained(job.id)).toEqual([
      { topic: `hermes/jobs/${job.id}/decisions/r-1`, payload: '', retain: true },
    ]);
  });

  it('a clear that fails is tried again by the next flush; the job counts as cleared only after it went through', async () => {
    const job = await jobWithRequest();
    f.bus.down = true;
    f.registry.cancel(job.id);
    await f.core.decisions.flush();
    expect(cleared(job.id)).toBeNull();
    expect(f.retained(job.id)).toEqual([]);
    f.bus.down = false;
    await f.core.tick();
    expect(f.retained(job.id)).toEqual([
      { topic: `hermes/jobs/${job.id}/decisions/r-1`, payload: '', retain: true },
    ]);
    expect(cleared(job.id)).not.toBeNull();
  });

  it('overdue requests of ended jobs are not expired (left pending by an older version)', async () => {
    const job = await jobWithRequest();
    f.registry.cancel(job.id);
    f.db
      .prepare(`UPDATE permission_requests SET status = 'pending', decided_by = NULL, decided_at = NULL`)
      .run();
    await f.core.decisions.flush();
    const before = f.bus.published.length;
    f.clock.advance(24 * 3600_000);
    expect(await f.core.decisions.expireOverdue()).toEqual([]);
    await f.core.decisions.flush();
    expect(f.bus.published.slice(before)).toEqual([]);
  });

  it('refuses a decision on an ended job, naming its state', async () => {
    const job = await jobWithRequest();
    f.registry.cancel(job.id);
    const err = await f.core.decisions
      .decide({ jobId: job.id, requestId: 'r-1', decision: 'approve', by: 'cli:alice' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isHermesError(err, 'after_terminal')).toBe(true);
    expect((err as Error).message).toBe(
      `job ${job.id} is cancelled: its requests are closed and can no longer be decided (request r-1 was expired by hermes:job-ended)`,
    );
  });

  it('a one-shot service (hermes jobs decide) leaves clearing ended jobs to the bot', async () => {
    const live = await jobWithRequest('r-2');
    const ended = await jobWithRequest();
    f.registry.cancel(ended.id);
    const before = f.bus.published.length;
    const cli = new DecisionService({
      registry: f.registry,
      publisher: f.bus,
      prefix: 'hermes',
      clock: f.clock,
      log: silentLogger,
    });
    await cli.decide({ jobId: live.id, requestId: 'r-2', decision: 'deny', by: 'cli:bob' });
    expect(f.bus.published.slice(before).map((p) => p.topic)).toEqual([
      `hermes/jobs/${live.id}/decisions/r-2`,
    ]);
    expect(cleared(ended.id)).toBeNull();
  });

  it('a decision is published at once while a flush is clearing ended jobs (each clear waiting for the broker)', async () => {
    const live = await jobWithRequest('r-live');
    const ended = [await jobWithRequest('r-a'), await jobWithRequest('r-b')];
    for (const j of ended) f.registry.cancel(j.id);
    const published: string[] = [];
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const svc = new DecisionService({
      registry: f.registry,
      publisher: {
        async publish(topic, payload) {
          if (payload.length === 0) await held; // a clear: the PUBACK is slow to come
          published.push(topic);
        },
      },
      prefix: 'hermes',
      clock: f.clock,
      log: silentLogger,
      clearEndedJobs: true,
    });
    const flushing = svc.flush();
    await new Promise((r) => setImmediate(r));
    const decided = await Promise.race([
      svc
        .decide({ jobId: live.id, requestId: 'r-live', decision: 'approve', by: 'cli:alice' })
        .then(() => 'decided'),
      new Promise((r) => setTimeout(() => r('held behind the clears'), 500)),
    ]);
    expect(decided).toBe('decided');
    expect(published).toEqual([`hermes/jobs/${live.id}/decisions/r-live`]);
    expect(permissionRequest(f.db, live.id, 'r-live')?.published_at).not.toBeNull();
    release();
    await flushing;
    expect(published.slice(1).sort()).toEqual(
      [`hermes/jobs/${ended[0]!.id}/decisions/r-a`, `hermes/jobs/${ended[1]!.id}/decisions/r-b`].sort(),
    );
    expect(ended.map((j) => cleared(j.id))).not.toContain(null);
  });
});
