/**
 * The runner's side of the socket path for benchmarks: a local relay running in the bench process,
 * with its own persistent connection, as the runner daemon has. Because it answers from this
 * process's event loop, child processes must be timed without blocking it (no spawnSync).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildEvent } from '../runner/agent/build-event.js';
import { askRunner } from '../runner/agent/runner-socket-client.js';
import { type LocalRelay, startLocalRelay } from '../runner/relay/local-relay.js';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/log.js';
import { connectBus, type MqttBus } from '../src/mqtt/bus.js';

export interface BenchRelay {
  relay: LocalRelay;
  socketPath: string;
  close(): Promise<void>;
}

export async function startBenchRelay(
  brokerUrl: string,
  home: string,
  prefix = 'hermes',
  /** The job's token as the runner daemon knows it (it signs hooks' auto_decision traces). */
  jobToken?: (jobId: string) => string | null | undefined,
): Promise<BenchRelay> {
  const bus: MqttBus = await connectBus({
    url: brokerUrl,
    log: silentLogger,
    options: { clientId: `hermes-runner-bench-${process.pid}`, clean: false },
  });
  const socketPath = join(home, 'runner.sock');
  const relay = await startLocalRelay({
    socketPath,
    home,
    bus,
    prefix,
    log: silentLogger,
    clock: systemClock,
    maxPayloadBytes: 65536,
    ...(jobToken ? { jobToken } : {}),
  });
  return {
    relay,
    socketPath,
    async close() {
      await relay.close();
      await bus.close();
    },
  };
}

/** Wall time of one command in seconds, without blocking this process's event loop. */
export function timeCommandAsync(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdin?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
    let err = '';
    child.stderr?.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code === 0) resolve(dt);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}`));
    });
  });
}

/**
 * Relay capacity with an in-process client: `count` signed events handed over one at a time
 * (acks per second: what agents wait for), then until the broker has acknowledged all of them.
 */
export async function relayThroughput(
  r: BenchRelay,
  count: number,
  token: string,
): Promise<{ acksPerSecond: number; deliveredPerSecond: number }> {
  const jobId = `j-bench-${process.pid}`;
  const t0 = process.hrtime.bigint();
  for (let seq = 1; seq <= count; seq++) {
    const built = buildEvent({
      jobId,
      seq,
      event: 'progress',
      timestamp: new Date().toISOString(),
      detail: `event ${seq}`,
      data: new Map(),
      token,
      prefix: 'hermes',
    });
    const reply = await askRunner(
      r.socketPath,
      { op: 'publish', job_id: jobId, seq, topic: built.topic, wire: built.wire, retain: false },
      10_000,
    );
    if (!reply.ok) throw new Error(`relay refused event ${seq}: ${reply.error}`);
  }
  const acked = Number(process.hrtime.bigint() - t0) / 1e9;
  await r.relay.flush(60_000);
  const delivered = Number(process.hrtime.bigint() - t0) / 1e9;
  return { acksPerSecond: count / acked, deliveredPerSecond: count / delivered };
}
