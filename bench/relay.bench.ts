/**
 * Relay throughput: N signed events through a local broker into the bot,
 * accepted per second, against a bare mqtt.js subscriber receiving the same
 * number of messages from the same broker in the same run (goal: >= 0.5x).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startBot } from '../src/bot/run-bot.js';
import { systemClock, systemRandom } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { fromPlain, type JsonObject } from '../src/protocol/lossless-json.js';
import { signEnvelope } from '../src/protocol/signing.js';
import { encodeWire } from '../src/protocol/wire.js';
import { benchBroker, median } from './support.js';
import type { BenchResult } from './types.js';

const N = Number(process.env.HERMES_BENCH_EVENTS ?? 5000);

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function bare(url: string, payloads: string[]): Promise<number> {
  const sub = await connectAsync(url, { clean: true });
  const pub = await connectAsync(url, { clean: true });
  let got = 0;
  sub.on('message', () => got++);
  await sub.subscribeAsync('bench/bare', { qos: 1 });
  const t0 = performance.now();
  await Promise.all(payloads.map((p) => pub.publishAsync('bench/bare', p, { qos: 1 })));
  await waitUntil(() => got >= payloads.length, 120_000);
  const s = (performance.now() - t0) / 1000;
  await sub.endAsync();
  await pub.endAsync();
  return payloads.length / s;
}

const ROUNDS = Number(process.env.HERMES_BENCH_ROUNDS ?? 3);

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  try {
    const config = loadConfig({
      env: { HERMES_HOME: home, HERMES_MQTT_URL: broker.url, HERMES_LOG_LEVEL: 'silent' },
    });
    const bot = await startBot({ config, log: silentLogger, clock: systemClock, random: systemRandom });
    const pub = await connectAsync(broker.url, { clean: true });
    const bareRates: number[] = [];
    const relayRates: number[] = [];
    // Rounds alternate bare and relay so that load from elsewhere on the machine hits both alike.
    for (let round = 0; round < ROUNDS; round++) {
      const job = bot.registry.register({ profile: 'bench', owner: 'bench' });
      const token = bot.registry.tokenOf(job.id)!;
      const ts = new Date().toISOString();
      const payloads = Array.from({ length: N }, (_, i) =>
        encodeWire(
          signEnvelope(
            fromPlain({
              schema_version: 1,
              job_id: job.id,
              seq: i + 1,
              event: 'progress',
              timestamp: ts,
              detail: `step ${i}`,
              data: { pct: i % 100 },
            }) as JsonObject,
            token,
          ),
        ),
      );
      bareRates.push(await bare(broker.url, payloads));
      const before = bot.core.relay.counts.get('accepted') ?? 0;
      const t0 = performance.now();
      await Promise.all(payloads.map((p) => pub.publishAsync(`hermes/jobs/${job.id}/events`, p, { qos: 1 })));
      await waitUntil(() => (bot.core.relay.counts.get('accepted') ?? 0) - before >= N, 300_000);
      relayRates.push(N / ((performance.now() - t0) / 1000));
    }
    await pub.endAsync();
    await bot.stop();
    const rate = median(relayRates);
    const bareRate = median(bareRates);
    const ratio = rate / bareRate;
    return [
      {
        name: `relay accepted events/s (${N} signed events x ${ROUNDS} rounds, ${broker.kind}, median)`,
        value: Math.round(rate),
        unit: 'ev/s',
        anchor: { name: 'bare mqtt.js subscriber msg/s', value: Math.round(bareRate) },
      },
      {
        name: 'relay / bare ratio',
        value: Number(ratio.toFixed(2)),
        unit: 'x',
        goal: { text: '>= 0.5x the bare rate', met: ratio >= 0.5 },
      },
    ];
  } finally {
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
