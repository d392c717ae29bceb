/**
 * A real NATS server with its MQTT listener (JetStream on, which MQTT needs) for one test: its own
 * config, ports and store folder in a temp dir. Readiness is a successful TCP connect to the MQTT
 * port (polled, bounded), never a fixed sleep. NATS speaks MQTT 3.1.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { findExecutable } from './system.js';
import { waitFor } from './wait.js';

export const natsServerPath = (): string | undefined =>
  findExecutable('nats-server', ['/usr/sbin', '/usr/local/bin', '/usr/bin']);
export const hasNatsServer = (): boolean => natsServerPath() !== undefined;

export interface NatsBroker {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function startNats(): Promise<NatsBroker> {
  const binary = natsServerPath();
  if (binary === undefined) throw new Error('nats-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'hermes-nats-'));
  const [clientPort, mqttPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      `server_name: hermes-test-${mqttPort}`,
      `listen: 127.0.0.1:${clientPort}`,
      `jetstream { store_dir: "${dir}/js" }`,
      `mqtt { listen: 127.0.0.1:${mqttPort} }`,
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => {
    log = (log + c).slice(-8_192);
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  try {
    await waitFor(async () => exited() || (await canConnect(mqttPort)), {
      timeoutMs: 10_000,
      intervalMs: 25,
      message: `nats-server to accept MQTT connections on 127.0.0.1:${mqttPort}`,
    });
    if (exited()) throw new Error(`nats-server exited (code ${child.exitCode})`);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\nnats-server log:\n${log}`);
  }
  return {
    url: `mqtt://127.0.0.1:${mqttPort}`,
    port: mqttPort,
    async stop() {
      if (!exited()) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
