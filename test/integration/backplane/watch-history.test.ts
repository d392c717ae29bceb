/**
 * `hermes watch` started after a job began: what the bot stored comes first, in seq order, then
 * live events, each seq once; `--no-history` shows live ones only. The timeout line through the
 * real binary, as a person sees it.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { eventsOf } from '../../../src/jobs/queries.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

let broker: TestBroker;
let h: BotHarness;
useBotOnBroker('file', (b, harness) => {
  broker = b;
  h = harness;
});

function signed(jobId: string, token: string, seq: number, event: string, detail: string) {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq,
    event,
    timestamp: new Date().toISOString(),
    detail,
    data: { step: seq },
  }) as JsonObject;
  return encodeWire(signEnvelope(env, token));
}
const publish = (jobId: string, wire: string, retain = false) =>
  h.bot!.bus.publish(`hermes/jobs/${jobId}/events`, wire, { qos: 1, retain });

function watch(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = runCli(['watch', ...args, '--mqtt', broker.url], {
    env: { HERMES_HOME: h.home, HERMES_LOG_LEVEL: 'silent' },
    stdin: Readable.from([]),
    stdout,
    stderr,
  });
  return { code, out: () => out, stderr: () => err };
}

/** A job with `n` events the bot has stored (started, then progress). */
async function jobWithPast(n: number) {
  const { job, token } = h.register();
  for (let seq = 1; seq <= n; seq++)
    await publish(job.id, signed(job.id, token!, seq, seq === 1 ? 'started' : 'progress', `step ${seq}`));
  await waitFor(() => eventsOf(h.bot!.db, job.id).length === n, { timeoutMs: 10_000, message: 'stored' });
  return { job, token: token! };
}

describe('hermes watch history', () => {
  it('prints the stored events first, in seq order, then live ones; a redelivered stored event is not shown again', async () => {
    const { job, token } = await jobWithPast(3);
    const w = watch([job.id, '--timeout', '20']);
    await waitFor(() => w.out().includes('step 3'), { timeoutMs: 10_000, message: 'history printed' });
    await publish(job.id, signed(job.id, token, 2, 'progress', 'step 2')); // the bot's duplicate
    await publish(job.id, signed(job.id, token, 4, 'completed', 'all done'), true);
    expect(await w.code).toBe(0);
    const lines = w.out().trim().split('\n');
    expect(lines.map((l) => / #(\d+) (\w+): (.*)$/.exec(l)?.slice(1))).toEqual([
      ['1', 'started', 'step 1'],
      ['2', 'progress', 'step 2'],
      ['3', 'progress', 'step 3'],
      ['4', 'completed', 'all done'],
    ]);
    expect(w.stderr()).toBe('');
  });

  it('--since-start is the default, said explicitly; --no-history shows only what happens from now', async () => {
    const { job, token } = await jobWithPast(2);
    const since = watch([job.id, '--since-start', '--json', '--timeout', '0.5']);
    expect(await since.code).toBe(3);
    const seqs = since
      .out()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number; data: { step: number } }).data.step);
    expect(seqs).toEqual([1, 2]);

    const live = watch([job.id, '--no-history', '--json', '--timeout', '20']);
    // Subscribed once a fresh event is printed; nothing from before comes.
    let seq = 3;
    await waitFor(
      async () => {
        if (live.out().includes('"detail":"now"')) return true;
        await publish(job.id, signed(job.id, token, seq++, 'progress', 'now'));
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'live event printed' },
    );
    await publish(job.id, signed(job.id, token, seq, 'completed', 'done'), true);
    expect(await live.code).toBe(0);
    expect(live.out()).not.toContain('step 1');
    expect(live.out()).not.toContain('step 2');
  });

  it('--since-start and --no-history together are a usage error', async () => {
    const { job } = h.register();
    const w = watch([job.id, '--since-start', '--no-history']);
    expect(await w.code).toBe(2);
    expect(w.stderr()).toContain('--since-start and --no-history contradict each other');
  });

  it('through the binary: history, then "timed out after N s" naming the open job, exit 3', async () => {
    const { job } = await jobWithPast(1);
    const r = await spawnHermes(['watch', job.id, '--timeout', '1', '--mqtt', broker.url], {
      env: { HERMES_HOME: h.home },
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`^\\S+ ${job.id} #1 started: step 1\\n$`));
    expect(r.stderr).toBe(`hermes watch: timed out after 1 s; not ended: ${job.id}\n`);
  });
});
