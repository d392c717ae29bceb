/**
 * Bot memory with 1000 active jobs: a real `hermes bot` process (headless)
 * whose 1000 jobs each report started and progress; RSS after the events,
 * next to the same process's RSS when idle with no jobs (the anchor).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { systemClock, systemRandom } from '../src/clock.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { silentLogger } from '../src/log.js';
import { fromPlain, type JsonObject } from '../src/protocol/lossless-json.js';
import { signEnvelope } from '../src/protocol/signing.js';
import { encodeWire } from '../src/protocol/wire.js';
import { auditPath } from '../src/relay/audit.js';
import { openBotDb } from '../src/store/bot-db.js';
import { benchBroker } from './support.js';
import type { BenchResult } from './types.js';

const JOBS = Number(process.env.HERMES_BENCH_JOBS ?? 1000);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');

const rssMb = (pid: number): number => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  const db = openBotDb({ home, sqlite_journal: 'auto' }, silentLogger);
  const registry = new JobRegistry(db, systemClock, systemRandom);
  const jobs = db.transaction(() =>
    Array.from({ length: JOBS }, () => {
      const j = registry.register({ profile: 'demo', owner: 'bench' });
      return { id: j.id, token: registry.tokenOf(j.id)! };
    }),
  )();
  db.close();
  let out = '';
  const child = spawn(process.execPath, [BIN, 'bot'], {
    env: { PATH: process.env.PATH, HERMES_HOME: home, HERMES_MQTT_URL: broker.url, HERMES_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (c) => {
    if (out.length < 100_000) out += c;
  });
  try {
    await until(() => out.includes('bot running'), 20_000, 'the bot to start');
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle before the idle reading
    const idle = rssMb(child.pid!);
    const pub = await connectAsync(broker.url, { clean: true });
    const ts = () => new Date().toISOString();
    const events = ['started', 'progress', 'progress', 'progress'];
    for (let k = 0; k < events.length; k++) {
      await Promise.all(
        jobs.map((j) =>
          pub.publishAsync(
            `hermes/jobs/${j.id}/events`,
            encodeWire(
              signEnvelope(
                fromPlain({
                  schema_version: 1,
                  job_id: j.id,
                  seq: k + 1,
                  event: events[k],
                  timestamp: ts(),
                  detail: `step ${k}`,
                  data: {},
                }) as JsonObject,
                j.token,
              ),
            ),
            { qos: 1 },
          ),
        ),
      );
    }
    await pub.endAsync();
    const expected = JOBS * events.length;
    const lines = () => {
      try {
        return readFileSync(auditPath(home), 'utf8').split('\n').length - 1;
      } catch {
        return 0;
      }
    };
    await until(() => lines() >= expected, 300_000, `${expected} audited events`);
    const active = rssMb(child.pid!);
    return [
      {
        name: `bot RSS with ${JOBS} active jobs (${expected} events relayed, headless)`,
        value: Number(active.toFixed(1)),
        unit: 'MiB',
        anchor: { name: 'same bot idle, no events', value: Number(idle.toFixed(1)) },
        note: `+${(active - idle).toFixed(1)} MiB`,
      },
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
