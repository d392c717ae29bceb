/**
 * `hermes publish` wall time per call (direct path: short-lived connection,
 * QoS 1, PUBACK awaited) against `node -e 0` and `mosquitto_pub -q 1` in the
 * same run. Goal: at most 1.5x `node -e 0`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBroker, median, timeCommand } from './support.js';
import type { BenchResult } from './types.js';

const RUNS = Number(process.env.HERMES_BENCH_RUNS ?? 21);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  try {
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, 'bench-token-0123456789abcdefghijklmnop', { mode: 0o600 });
    const env = {
      ...process.env,
      HERMES_HOME: home,
      HERMES_JOB_ID: 'j-bench',
      HERMES_TOKEN_FILE: tokenFile,
      HERMES_MQTT_URL: broker.url,
    };
    const node0: number[] = [];
    const hermes: number[] = [];
    const mosq: number[] = [];
    const hasMosquittoPub = (() => {
      try {
        timeCommand('mosquitto_pub', [
          '-h',
          '127.0.0.1',
          '-p',
          String(broker.port),
          '-q',
          '1',
          '-t',
          'bench/x',
          '-m',
          'x',
        ]);
        return true;
      } catch {
        return false;
      }
    })();
    timeCommand(process.execPath, [BIN, 'publish', '--event', 'progress'], env); // warm the file cache
    for (let i = 0; i < RUNS; i++) {
      node0.push(timeCommand(process.execPath, ['-e', '0']));
      hermes.push(
        timeCommand(process.execPath, [BIN, 'publish', '--event', 'progress', '--detail', `run ${i}`], env),
      );
      if (hasMosquittoPub)
        mosq.push(
          timeCommand('mosquitto_pub', [
            '-h',
            '127.0.0.1',
            '-p',
            String(broker.port),
            '-q',
            '1',
            '-t',
            'bench/x',
            '-m',
            'x',
          ]),
        );
    }
    const n0 = median(node0) * 1000;
    const h = median(hermes) * 1000;
    const results: BenchResult[] = [
      {
        name: 'hermes publish (direct), median wall time',
        value: Number(h.toFixed(1)),
        unit: 'ms',
        anchor: { name: 'node -e 0', value: Number(n0.toFixed(1)) },
      },
      {
        name: 'hermes publish / node -e 0',
        value: Number((h / n0).toFixed(2)),
        unit: 'x',
        goal: { text: '<= 1.5x node -e 0', met: h / n0 <= 1.5 },
      },
    ];
    if (hasMosquittoPub) {
      results.push({
        name: 'mosquitto_pub -q 1, median wall time',
        value: Number((median(mosq) * 1000).toFixed(1)),
        unit: 'ms',
        note: `${RUNS} runs each, interleaved`,
      });
    }
    return results;
  } finally {
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
