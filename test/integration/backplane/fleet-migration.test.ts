/**
 * Moving the old fleet over: its jobs keep their ids and tokens (`jobs register --id`, `jobs
 * import`), its agents' events (paho-mqtt, Python) are accepted at once, `hermes publish` can take
 * over a job's seq where the fleet left it (`--seq-from`), and a publish or ask whose outcome is
 * unknown says so (exit 75) and can be re-sent with the same seq safely (`--resend`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { runHermes, spawnHermes } from '../../helpers/cli.js';
import { startFakeBroker } from '../../helpers/fake-mqtt-broker.js';
import { FLEET_TOKEN, fleetPublish, fleetPython, fleetSpec } from '../../helpers/python-fleet.js';
import { hasMosquitto } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

const aware = ', "timestamp": "aware"';

describe.skipIf(!fleetPython || !hasMosquitto())('moving the Python fleet to Hermes', () => {
  let broker: TestBroker;
  let h: BotHarness;
  useBotOnBroker('file', (b, harness) => {
    broker = b;
    h = harness;
  });
  const cli = (args: string[]) =>
    runHermes(args, { env: { HERMES_HOME: h.home, HERMES_LOG_LEVEL: 'silent' } });
  const importFile = (name: string, lines: string[]) => {
    const file = join(h.home, name);
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    return file;
  };

  it('jobs import: ids and tokens from the file; the fleet agent is accepted at once; a bad line imports nothing', async () => {
    const bad = importFile('bad.jsonl', [
      JSON.stringify({ job_id: 'job_ok', auth_token: FLEET_TOKEN }),
      JSON.stringify({ job_id: 'job 9', auth_token: FLEET_TOKEN }),
    ]);
    const refused = await cli(['jobs', 'import', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('bad.jsonl line 2: job_id: must be 1-128 letters, digits, _ or -');
    expect(h.bot!.registry.get('job_ok')).toBeUndefined();

    const file = importFile('fleet.jsonl', [
      JSON.stringify({ job_id: 'job_7', auth_token: FLEET_TOKEN, profile: 'claude', prompt: 'fix it' }),
      JSON.stringify({ job_id: 'old-8', auth_token: null, status: 'completed' }),
    ]);
    const r = await cli(['jobs', 'import', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      imported: [
        { id: 'job_7', status: 'running' },
        { id: 'old-8', status: 'completed' },
      ],
    });
    expect(r.stdout + r.stderr).not.toContain(FLEET_TOKEN);
    expect(h.bot!.registry.require('old-8').auth).toBe('none');
    const again = await cli(['jobs', 'import', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('job id job_7 is already registered');

    await fleetPublish(broker, [
      fleetSpec('job_7', 1, 'progress', ', "detail": "still going"', aware),
      fleetSpec('job_7', 2, 'completed', ', "detail": null', aware),
    ]);
    await waitFor(() => h.bot!.registry.require('job_7').status === 'completed', {
      timeoutMs: 10_000,
      message: 'imported job completed',
    });
    expect(eventsOf(h.bot!.db, 'job_7').map((e) => [e.seq, e.verified])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('jobs register --id keeps an old fleet id, refuses other forms and a taken id', async () => {
    const tokenFile = join(h.home, 'token-42');
    writeFileSync(tokenFile, FLEET_TOKEN, { mode: 0o600 });
    const r = await cli([
      'jobs',
      'register',
      '--profile',
      'demo',
      '--id',
      'job_42',
      '--auth-token-file',
      tokenFile,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'job_42', status: 'pending' });
    for (const bad of ['job.42', 'job/42', '-job', ''])
      expect((await cli(['jobs', 'register', '--profile', 'demo', '--id', bad])).code, bad).toBe(2);
    const taken = await cli(['jobs', 'register', '--profile', 'demo', '--id', 'job_42']);
    expect(taken.stderr).toContain('job id job_42 is already registered');
  });

  it('hermes publish --seq-from continues after the fleet agent, instead of colliding at seq 1', async () => {
    h.bot!.registry.register({
      id: 'job_mixed',
      profile: 'demo',
      owner: 't',
      status: 'running',
      auth: { kind: 'given', token: FLEET_TOKEN },
    });
    await fleetPublish(broker, [
      fleetSpec('job_mixed', 1, 'started', '', aware),
      fleetSpec('job_mixed', 2, 'progress', '', aware),
    ]);
    await waitFor(() => eventsOf(h.bot!.db, 'job_mixed').length === 2, {
      timeoutMs: 10_000,
      message: 'fleet events',
    });
    const env = h.agentEnv(h.bot!.registry.require('job_mixed'), FLEET_TOKEN);
    const first = await spawnHermes(['publish', '--event', 'progress', '--seq-from', '3', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ seq: 3 });
    const next = await spawnHermes(['publish', '--event', 'completed', '--json'], { env });
    expect(JSON.parse(next.stdout)).toMatchObject({ seq: 4 });
    await waitFor(() => h.bot!.registry.require('job_mixed').status === 'completed', {
      timeoutMs: 10_000,
      message: 'completed',
    });
    expect(
      h
        .audit()
        .filter((a) => a.job_id === 'job_mixed')
        .map((a) => a.reason ?? a.verdict),
    ).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('no PUBACK: exit 75, the event kept; --resend sends the same bytes, which the bot drops quietly if it had them', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const fake = await startFakeBroker({ puback: 'wrong-id' });
    let wire: Buffer;
    try {
      const r = await spawnHermes(
        ['publish', '--event', 'progress', '--detail', 'slow broker', '--deadline', '1', '--mqtt', fake.url],
        { env },
      );
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toContain('outcome unknown for seq 1');
      expect(r.stderr).toContain('hermes publish --resend 1');
      const pub = fake.received.find((p) => p.type === 3)!;
      wire = pub.body.subarray(2 + pub.body.readUInt16BE(0) + 2);
    } finally {
      await fake.close();
    }
    const kept = join(env.HERMES_HOME!, 'jobs', job.id, 'unsent', '1.json');
    expect(existsSync(kept)).toBe(true);
    // The slow broker had in fact passed it on: the bot stored it.
    await h.bot!.bus.publish(`hermes/jobs/${job.id}/events`, wire, { qos: 1 });
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, { timeoutMs: 5000, message: 'stored' });

    const resent = await spawnHermes(['publish', '--resend', '1', '--json'], { env });
    expect(resent.code, resent.stderr).toBe(0);
    expect(JSON.parse(resent.stdout)).toMatchObject({ seq: 1, via: 'broker' });
    await waitFor(() => h.audit().filter((a) => a.job_id === job.id).length === 2, {
      timeoutMs: 5000,
      message: 'audited',
    });
    expect(h.audit().filter((a) => a.job_id === job.id)[1]).toMatchObject({ reason: 'duplicate', seq: 1 });
    expect(h.audit().filter((a) => a.job_id === job.id)[1]).not.toHaveProperty('conflict');
    expect(eventsOf(h.bot!.db, job.id)).toHaveLength(1);
    expect(existsSync(kept)).toBe(false);
    const twice = await spawnHermes(['publish', '--resend', '1'], { env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('no unsent event with seq 1');
  });

  it('hermes ask, no PUBACK and no decision: exit 75, the request kept; ask --resend sends the same bytes and gets the decision', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const fake = await startFakeBroker({ puback: 'wrong-id' });
    let first: Awaited<ReturnType<typeof spawnHermes>>;
    try {
      const asking = spawnHermes(
        [
          'ask',
          '--tool',
          'Bash',
          '--input',
          '{"command":"make"}',
          '--timeout',
          '4',
          '--deadline',
          '1',
          '--mqtt',
          fake.url,
        ],
        { env },
      );
      // The slow broker had in fact passed the request on: the bot has it, and a person approves.
      await waitFor(() => fake.received.some((p) => p.type === 3), { timeoutMs: 10_000, message: 'PUBLISH' });
      const pub = fake.received.find((p) => p.type === 3)!;
      await h.bot!.bus.publish(
        `hermes/jobs/${job.id}/events`,
        pub.body.subarray(2 + pub.body.readUInt16BE(0) + 2),
        {
          qos: 1,
        },
      );
      await waitFor(() => permissionRequestsOf(h.bot!.db, job.id, 'pending').length === 1, {
        timeoutMs: 5000,
        message: 'request stored',
      });
      const requestId = permissionRequestsOf(h.bot!.db, job.id, 'pending')[0]!.request_id;
      await h.bot!.core.decisions.decide({ jobId: job.id, requestId, decision: 'approve', by: 'slack:U1' });
      // ...but this ask, on the broker that never acknowledged, hears nothing back.
      first = await asking;
      expect(first.code, first.stderr).toBe(75);
      expect(first.stderr).toContain(`outcome unknown for seq 1 (request ${requestId})`);
      expect(first.stderr).toContain('hermes ask --resend 1');
      const out = JSON.parse(first.stdout) as Record<string, unknown>;
      expect(out).toEqual({ request_id: requestId, job_id: job.id, seq: 1, outcome: 'unknown' });
    } finally {
      await fake.close();
    }
    const kept = join(env.HERMES_HOME!, 'jobs', job.id, 'unsent', '1.json');
    expect(existsSync(kept)).toBe(true);

    const resent = await spawnHermes(['ask', '--resend', '1', '--timeout', '10'], { env });
    expect(resent.code, resent.stderr).toBe(0);
    expect(JSON.parse(resent.stdout)).toMatchObject({ decision: 'approve', decided_by: 'slack:U1' });
    await waitFor(() => h.audit().filter((a) => a.job_id === job.id).length === 2, {
      timeoutMs: 5000,
      message: 'audited',
    });
    expect(h.audit().filter((a) => a.job_id === job.id)[1]).toMatchObject({ reason: 'duplicate', seq: 1 });
    expect(h.audit().filter((a) => a.job_id === job.id)[1]).not.toHaveProperty('conflict');
    expect(permissionRequestsOf(h.bot!.db, job.id)).toHaveLength(1);
    expect(existsSync(kept)).toBe(false);
    const twice = await spawnHermes(['ask', '--resend', '1'], { env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('no unsent event with seq 1');
    const usage = await spawnHermes(['ask', '--resend', '1', '--tool', 'Bash'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('drop --tool');
  });
});
