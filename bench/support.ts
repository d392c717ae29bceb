/** Shared bits for benchmarks: a broker, medians, timing of child processes. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { silentLogger } from '../src/log.js';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of one command in seconds (fails loudly when the command fails). */
export function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  return dt;
}

export function mosquittoBinary(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(p)) return p;
  return undefined;
}

/** A broker for the benchmark: real Mosquitto when installed, else the embedded one. */
export async function benchBroker(): Promise<{
  url: string;
  port: number;
  kind: string;
  stop(): Promise<void>;
}> {
  if (mosquittoBinary()) {
    const { startMosquitto } = await import('../test/helpers/mosquitto.js');
    // A flood must not hit Mosquitto's per-client queue limit (default 1000), which drops QoS 1
    // messages for a busy subscriber: production configs raise it too (see README).
    const m = await startMosquitto({
      persistence: false,
      extraConfig: ['max_queued_messages 100000', 'max_inflight_messages 100'],
    });
    return { url: m.url, port: m.port, kind: 'mosquitto', stop: () => m.stop() };
  }
  const b = await startEmbeddedBroker({ port: 0, log: silentLogger });
  return { url: b.url, port: b.port, kind: 'embedded', stop: () => b.close() };
}
