import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXPIRED_BY } from '../../../src/jobs/decisions.js';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { HERMES_BIN, runHermes, spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

let broker: TestBroker;
let h: BotHarness;
useBotOnBroker('each', (b, harness) => {
  broker = b;
  h = harness;
});

function spawnAsk(env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, [HERMES_BIN, 'ask', ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: out, stderr: err })),
  );
  return { child, done };
}

describe(`backplane round trip (${process.env.HERMES_REQUIRE_SYSTEM_DEPS === '1' ? 'mosquitto' : 'default broker'})`, () => {
  it('publish -> accepted, stored, job running, audit says accepted', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const r = await spawnHermes(['publish', '--event', 'started', '--detail', 'agent up', '--json'], { env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ job_id: job.id, seq: 1, via: 'broker' });
    await waitFor(() => h.bot!.registry.require(job.id).status === 'running', {
      timeoutMs: 5000,
      message: 'job running',
    });
    const events = eventsOf(h.bot!.db, job.id);
    expect(events.map((e) => [e.seq, e.event, e.detail, e.verified])).toEqual([
      [1, 'started', 'agent up', true],
    ]);
    expect(h.audit()).toEqual([
      expect.objectContaining({ verdict: 'accepted', job_id: job.id, seq: 1, event: 'started' }),
    ]);
  });

  it('ask -> decide -> ask exits with the decision; rerun with --request-id returns it again', async () => {
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    const ask = spawnAsk(env, [
      '--tool',
      'Bash',
      '--input',
      '{"command":"npm test"}',
      '--reason',
      'run tests?',
      '--timeout',
      '20',
    ]);
    await waitFor(() => permissionRequestsOf(h.bot!.db, job.id, 'pending').length === 1, {
      timeoutMs: 10_000,
      message: 'request pending',
    });
    expect(h.bot!.registry.require(job.id).status).toBe('waiting');
    const req = permissionRequestsOf(h.bot!.db, job.id)[0]!;
    expect(req).toMatchObject({ tool: 'Bash', input: '{"command":"npm test"}', detail: 'run tests?' });
    const d = await runHermes(
      [
        'jobs',
        'decide',
        job.id,
        req.request_id,
        'deny',
        '--by',
        'alice',
        '--reason',
        'not now',
        '--mqtt',
        broker.url,
      ],
      {
        env: { HERMES_HOME: h.home },
      },
    );
    expect(d.code, d.stderr).toBe(0);
    const res = await ask.done;
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual({
      request_id: req.request_id,
      decision: 'deny',
      decided_by: 'alice',
      reason: 'not now',
    });
    expect(h.bot!.registry.require(job.id).status).toBe('running');

    const again = await spawnHermes(['ask', '--request-id', req.request_id, '--timeout', '10'], { env });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).decided_by).toBe('alice');

    const second = await runHermes(
      ['jobs', 'decide', job.id, req.request_id, 'approve', '--mqtt', broker.url],
      { env: { HERMES_HOME: h.home } },
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already denied by alice/);
  });

  it('ask times out as a deny with exit 3', async () => {
    const { job, token } = h.register();
    const r = await spawnHermes(['ask', '--tool', 'Write', '--timeout', '1'], {
      env: h.agentEnv(job, token),
    });
    expect(r.code).toBe(3);
    // ask's own timer, or the bot's expiry of the request at the same instant: whichever is first.
    const out = JSON.parse(r.stdout) as { decision: string; decided_by: string };
    expect(out.decision).toBe('deny');
    expect(['hermes:timeout', EXPIRED_BY]).toContain(out.decided_by);
  });

  it("the bot's expiry of an unanswered request is a timeout for ask (exit 3), not a person's deny", async () => {
    const { job, token } = h.register();
    const ask = spawnAsk(h.agentEnv(job, token), ['--tool', 'Bash', '--timeout', '60']);
    await waitFor(() => permissionRequestsOf(h.bot!.db, job.id, 'pending').length === 1, {
      timeoutMs: 10_000,
      message: 'request pending',
    });
    const req = permissionRequestsOf(h.bot!.db, job.id)[0]!;
    // What expireOverdue does when expires_at has passed on the bot's clock.
    const r = await h.bot!.core.decisions.decide({
      jobId: job.id,
      requestId: req.request_id,
      decision: 'deny',
      by: EXPIRED_BY,
      reason: 'expired, denied',
    });
    expect(r.outcome).toBe('decided');
    const res = await ask.done;
    expect(res.code).toBe(3);
    expect(JSON.parse(res.stdout)).toMatchObject({ decision: 'deny', decided_by: EXPIRED_BY });
  });

  it('a forged decision (wrong token) is ignored by ask', async () => {
    const { job, token } = h.register();
    const other = h.register();
    const env = h.agentEnv(job, token);
    const ask = spawnAsk(env, ['--tool', 'Bash', '--timeout', '3']);
    await waitFor(() => permissionRequestsOf(h.bot!.db, job.id, 'pending').length === 1, {
      timeoutMs: 10_000,
      message: 'request pending',
    });
    const req = permissionRequestsOf(h.bot!.db, job.id)[0]!;
    // sign an approval with another job's token and publish it on this request's topic
    const { fromPlain } = await import('../../../src/protocol/lossless-json.js');
    const { signEnvelope } = await import('../../../src/protocol/signing.js');
    const { encodeWire } = await import('../../../src/protocol/wire.js');
    const forged = encodeWire(
      signEnvelope(
        fromPlain({
          schema_version: 1,
          job_id: job.id,
          seq: 1,
          event: 'decision',
          timestamp: new Date().toISOString(),
          data: { request_id: req.request_id, decision: 'approve', decided_by: 'mallory' },
        }) as never,
        other.token!,
      ),
    );
    await h.bot!.bus.publish(`hermes/jobs/${job.id}/decisions/${req.request_id}`, forged, {
      qos: 1,
      retain: false,
    });
    const res = await ask.done;
    expect(res.code).toBe(3);
  });

  it('terminal events are retained; a job with --no-auth accepts unsigned events marked unverified', async () => {
    const { job } = h.register({ auth: 'none' });
    const env = h.agentEnv(job, null);
    expect((await spawnHermes(['publish', '--event', 'completed', '--detail', 'done'], { env })).code).toBe(
      0,
    );
    await waitFor(() => h.bot!.registry.require(job.id).status === 'completed', {
      timeoutMs: 5000,
      message: 'completed',
    });
    expect(eventsOf(h.bot!.db, job.id)[0]!.verified).toBe(false);
    const w = await runHermes(['watch', job.id, '--json', '--timeout', '10', '--mqtt', broker.url], {
      env: { HERMES_HOME: h.home },
    });
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout.trim())).toMatchObject({
      job_id: job.id,
      event: 'completed',
      verified: false,
    });
  });
});
