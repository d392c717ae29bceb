/**
 * `hermes publish` wall time per call on both paths, side by side and interleaved in one run:
 * direct (short-lived connection, QoS 1, PUBACK awaited) and through the runner's local relay
 * socket (acked once the event is in the runner's SQLite outbox; a relay runs in this process),
 * against `node -e 0` and `mosquitto_pub -q 1`. Goal: at most 1.5x `node -e 0`.
 *
 * Every command is timed with an asynchronous spawn (the relay answers from this process's event
 * loop, which spawnSync would block), so all figures carry the same small timing overhead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relayThroughput, startBenchRelay, timeCommandAsync } from './socket-path.js';
import { benchBroker, median } from './support.js';
import type { BenchResult } from './types.js';

const RUNS = Number(process.env.HERMES_BENCH_RUNS ?? 21);
const RELAY_EVENTS = Number(process.env.HERMES_BENCH_RELAY_EVENTS ?? 2000);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');
const TOKEN = 'bench-token-0123456789abcdefghijklmnop';

const ms = (seconds: number) => Number((seconds * 1000).toFixed(1));

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-'));
  const relay = await startBenchRelay(broker.url, join(home, 'runner'));
  try {
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    const base = { ...process.env, HERMES_TOKEN_FILE: tokenFile };
    const direct = {
      ...base,
      HERMES_HOME: join(home, 'direct'),
      HERMES_JOB_ID: 'j-bench',
      HERMES_MQTT_URL: broker.url,
    };
    // No broker URL on the socket path: a relay failure fails the run instead of falling back.
    const withoutUrl: NodeJS.ProcessEnv = { ...base };
    delete withoutUrl.HERMES_MQTT_URL;
    const socket = {
      ...withoutUrl,
      HERMES_HOME: join(home, 'socket'),
      HERMES_JOB_ID: 'j-bench-socket',
      HERMES_RUNNER_SOCKET: relay.socketPath,
    };
    const mosquittoArgs = [
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
    ];
    const hasMosquittoPub = await timeCommandAsync('mosquitto_pub', mosquittoArgs).then(
      () => true,
      () => false,
    );
    const publish = (env: NodeJS.ProcessEnv, detail: string) =>
      timeCommandAsync(process.execPath, [BIN, 'publish', '--event', 'progress', '--detail', detail], env);
    await publish(direct, 'warm'); // warm the file cache
    await publish(socket, 'warm');
    const node0: number[] = [];
    const viaDirect: number[] = [];
    const viaSocket: number[] = [];
    const mosq: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node0.push(await timeCommandAsync(process.execPath, ['-e', '0']));
      viaDirect.push(await publish(direct, `run ${i}`));
      viaSocket.push(await publish(socket, `run ${i}`));
      if (hasMosquittoPub) mosq.push(await timeCommandAsync('mosquitto_pub', mosquittoArgs));
    }
    const n0 = ms(median(node0));
    const d = ms(median(viaDirect));
    const s = ms(median(viaSocket));
    const results: BenchResult[] = [
      {
        name: 'hermes publish (direct), median wall time',
        value: d,
        unit: 'ms',
        anchor: { name: 'node -e 0', value: n0 },
      },
      {
        name: 'hermes publish (runner socket), median wall time',
        value: s,
        unit: 'ms',
        anchor: { name: 'direct path', value: d },
        note: 'acked once in the runner outbox; no broker connection in the agent',
      },
      {
        name: 'hermes publish (direct) / node -e 0',
        value: Number((d / n0).toFixed(2)),
        unit: 'x',
        goal: { text: '<= 1.5x node -e 0', met: d / n0 <= 1.5 },
      },
      {
        name: 'hermes publish (runner socket) / node -e 0',
        value: Number((s / n0).toFixed(2)),
        unit: 'x',
        goal: { text: '<= 1.5x node -e 0', met: s / n0 <= 1.5 },
      },
    ];
    if (hasMosquittoPub) {
      results.push(
        {
          name: 'mosquitto_pub -q 1, median wall time',
          value: ms(median(mosq)),
          unit: 'ms',
          note: `${RUNS} runs each, interleaved; ${broker.kind} broker`,
        },
        {
          name: 'hermes publish (direct) / mosquitto_pub -q 1',
          value: Number((d / ms(median(mosq))).toFixed(1)),
          unit: 'x',
          anchor: { name: 'mosquitto_pub ms', value: ms(median(mosq)) },
          note: 'a C client with no runtime to start: the floor, not a goal',
        },
      );
    } else {
      results.push({
        name: 'mosquitto_pub -q 1',
        value: Number.NaN,
        unit: 'ms',
        note: 'SKIPPED: mosquitto_pub not installed (Debian package mosquitto-clients)',
      });
    }
    const t = await relayThroughput(relay, RELAY_EVENTS, TOKEN);
    results.push(
      {
        name: 'local relay: events acked per second (one client, sequential)',
        value: Math.round(t.acksPerSecond),
        unit: 'events/s',
        note: `${RELAY_EVENTS} signed events over the socket, each committed to SQLite before its ack`,
      },
      {
        name: 'local relay: events delivered (PUBACK) per second',
        value: Math.round(t.deliveredPerSecond),
        unit: 'events/s',
        note: 'same events, until the broker acknowledged the last one; one QoS 1 publish in flight',
      },
    );
    return results;
  } finally {
    await relay.close();
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
