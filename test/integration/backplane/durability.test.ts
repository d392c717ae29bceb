import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { HERMES_BIN, spawnHermes, tempHome } from '../../helpers/cli.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto, hasPython, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

const withMosquitto = hasMosquitto() || requireSystemDeps();
let broker: MosquittoBroker | undefined;
let h: BotHarness | undefined;
let cleanup = () => {};
afterEach(async () => {
  await h?.stop();
  await broker?.stop();
  cleanup();
});

async function setup() {
  broker = await startMosquitto({ persistence: true });
  const t = tempHome();
  cleanup = t.cleanup;
  h = botHarness(t.home, broker.url);
  await h.start();
  return { broker, h };
}

describe.skipIf(!withMosquitto)('backplane durability on real Mosquitto', () => {
  it('bot down while the agent publishes: every event arrives once, in order, when it is back', async () => {
    const { h } = await setup();
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    await h.stop();
    for (let i = 0; i < 5; i++)
      expect(
        (await spawnHermes(['publish', '--event', 'progress', '--detail', `step ${i}`], { env })).code,
      ).toBe(0);
    await h.start();
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 5, { timeoutMs: 10_000, message: '5 events' });
    expect(eventsOf(h.bot!.db, job.id).map((e) => e.detail)).toEqual([
      'step 0',
      'step 1',
      'step 2',
      'step 3',
      'step 4',
    ]);
    expect(
      h
        .audit()
        .filter((a) => a.job_id === job.id)
        .map((a) => a.seq),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('broker restarted while a publish is retrying: the event arrives after the restart, once', async () => {
    const { h, broker } = await setup();
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    // A crash loses what Mosquitto had not saved: make it save the bot's session first
    // (autosave after changes), so the test is about the retrying publisher, not about luck.
    const db = join(broker.dir, 'mosquitto.db');
    const before = Date.now();
    await h.bot!.bus.publish('test/marker', 'x', { qos: 1, retain: true });
    await h.bot!.bus.publish('test/marker2', 'x', { qos: 1, retain: true });
    await waitFor(() => existsSync(db) && statSync(db).mtimeMs >= before - 5, {
      timeoutMs: 10_000,
      message: 'mosquitto saved its database',
    });
    await broker.kill();
    const child = spawn(
      process.execPath,
      [HERMES_BIN, 'publish', '--event', 'progress', '--detail', 'through an outage', '--deadline', '30'],
      {
        env: { PATH: process.env.PATH, ...env },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    await waitFor(() => /retrying in/.test(stderr), { timeoutMs: 10_000, message: 'publish retrying' });
    await broker.restart();
    expect(await exited, stderr).toBe(0);
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, {
      timeoutMs: 15_000,
      message: 'event after restart',
    });
    expect(h.audit().filter((a) => a.job_id === job.id && a.verdict === 'accepted')).toHaveLength(1);
  });

  it('a replay after a bot restart is still dropped (the state is in SQLite)', async () => {
    const { h } = await setup();
    const { job, token } = h.register();
    const env = h.agentEnv(job, token);
    expect((await spawnHermes(['publish', '--event', 'started'], { env })).code).toBe(0);
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, {
      timeoutMs: 5000,
      message: 'first event',
    });
    const wire = eventsOf(h.bot!.db, job.id)[0]!.wire;
    await h.stop();
    await h.start();
    await h.bot!.bus.publish(`hermes/jobs/${job.id}/events`, wire, { qos: 1 });
    await waitFor(() => h.audit().length === 2, { timeoutMs: 5000, message: 'second audit line' });
    expect(h.audit()[1]).toMatchObject({ verdict: 'dropped', reason: 'duplicate', seq: 1 });
    expect(eventsOf(h.bot!.db, job.id)).toHaveLength(1);
  });

  it.skipIf(!hasPython())('events signed by Python and sent with mosquitto_pub are accepted', async () => {
    const { h, broker } = await setup();
    const { job, token } = h.register();
    const script = join(h.home, 'sign.py');
    writeFileSync(
      script,
      [
        'import hashlib, hmac, json, sys, datetime',
        'job, token = sys.argv[1], sys.argv[2]',
        'ts = datetime.datetime.now(datetime.timezone.utc).isoformat()',
        'ev = {"schema_version": 1, "job_id": job, "seq": 1, "event": "progress", "timestamp": ts, "detail": "Grüße aus Python", "data": {"ratio": 1.0, "big": 2**70}}',
        'canon = json.dumps(ev, sort_keys=True, separators=(",", ":"))',
        'ev["data"]["hmac_sig"] = hmac.new(token.encode(), canon.encode(), hashlib.sha256).hexdigest()',
        'print(json.dumps(ev, ensure_ascii=False))',
      ].join('\n'),
    );
    const py = spawnSync('python3', [script, job.id, token!]);
    expect(py.status, py.stderr.toString()).toBe(0);
    const pub = spawnSync(
      'mosquitto_pub',
      ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', `hermes/jobs/${job.id}/events`, '-s'],
      {
        input: py.stdout,
      },
    );
    expect(pub.status, pub.stderr.toString()).toBe(0);
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 1, {
      timeoutMs: 5000,
      message: 'python event accepted',
    });
    expect(eventsOf(h.bot!.db, job.id)[0]).toMatchObject({ detail: 'Grüße aus Python', verified: true });
  });
});
