/**
 * `hermes publish` refuses, with a reason and a non-zero exit, the events the bot would drop as
 * `schema` or `too_large`, instead of publishing them and reporting success.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import { spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

let h: BotHarness;
useBotOnBroker('file', (_broker, harness) => {
  h = harness;
});

/** Audit records of a job's events topic: a too_large drop has no parsed job_id, only its topic. */
const auditOf = (jobId: string) => h.audit().filter((a) => a.topic === `hermes/jobs/${jobId}/events`);

describe('hermes publish checks the event before sending it', () => {
  it('permission_required without request_id / tool / input: refused, nothing sent, no seq taken', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const r = await spawnHermes(['publish', '--event', 'permission_required'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would drop this permission_required event: data\.request_id: .*data\.tool: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(env.HERMES_HOME!, 'jobs', job.id, 'seq', '1'))).toBe(false);

    const bad = await spawnHermes(
      ['publish', '--event', 'permission_required', '--data', '{"request_id":"r/1","tool":"Bash","input":1}'],
      { env },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('data.request_id: must be 1-128 characters');

    // The same event made right goes through and is accepted: the check is not stricter than the bot.
    const ok = await spawnHermes(
      [
        'publish',
        '--event',
        'permission_required',
        '--data',
        '{"request_id":"r-1","tool":"Bash","input":null}',
        '--json',
      ],
      { env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ seq: 1 });
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, { timeoutMs: 10_000, message: 'accepted' });
    expect(auditOf(job.id)).toEqual([expect.objectContaining({ verdict: 'accepted', seq: 1 })]);
  });

  it('a number that cannot be sent as written (1e400) is refused by publish and ask; NaN and 1.0 go through', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const huge = await spawnHermes(['publish', '--event', 'progress', '--data', '{"huge":1e400}'], { env });
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('huge: 1e400 would be sent as Infinity');
    expect(existsSync(join(env.HERMES_HOME!, 'jobs', job.id, 'seq', '1'))).toBe(false);
    const ask = await spawnHermes(['ask', '--tool', 'Bash', '--input', '{"n":9007199254740993.0}'], { env });
    expect(ask.code).toBe(2);
    expect(ask.stderr).toContain('n: 9007199254740993.0 would be sent as 9007199254740992.0');

    const ok = await spawnHermes(
      ['publish', '--event', 'progress', '--data', '{"ratio":1.0,"nan":NaN,"big":18446744073709551617}'],
      { env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, { timeoutMs: 5000, message: 'accepted' });
    const { wire, verified } = eventsOf(h.bot!.db, job.id)[0]!;
    expect(verified).toBe(true);
    for (const part of ['"big":18446744073709551617,', '"nan":NaN,', '"ratio":1.0}'])
      expect(wire).toContain(part);
  });

  it('an event over the size limit (64 KiB, or HERMES_MAX_PAYLOAD_BYTES) is refused, not sent', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const big = JSON.stringify({ blob: 'x'.repeat(70 * 1024) });
    const r = await spawnHermes(['publish', '--event', 'progress', '--data', big], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the event is \d+ bytes on the wire, over the limit of 65536/);

    const small = await spawnHermes(['publish', '--event', 'progress', '--detail', 'y'.repeat(3000)], {
      env: { ...env, HERMES_MAX_PAYLOAD_BYTES: '2048' },
    });
    expect(small.code).toBe(1);
    expect(small.stderr).toMatch(/over the limit of 2048/);

    const ok = await spawnHermes(['publish', '--event', 'completed', '--detail', 'done'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    await waitFor(() => h.bot!.registry.require(job.id).status === 'completed', {
      timeoutMs: 10_000,
      message: 'completed',
    });
    // Only the good event reached the bot: no too_large drop was ever audited for this job.
    expect(auditOf(job.id)).toEqual([expect.objectContaining({ verdict: 'accepted', event: 'completed' })]);
  });
});
