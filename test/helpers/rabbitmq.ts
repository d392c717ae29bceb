/**
 * A private RabbitMQ node with its MQTT plugin for one test file: its own node name, Erlang cookie
 * (HOME), database, config and ports (AMQP, Erlang distribution, MQTT) in a temp dir, so it never
 * touches the machine's own RabbitMQ. Readiness is a successful TCP connect to the MQTT port
 * (polled, bounded), never a fixed sleep.
 *
 * A node takes a while to boot (about 8 s of CPU; 10-40 s of wall time here, depending on load),
 * so suites start one per file and share it. The node registers with the machine's epmd (port
 * 4369); where none runs, Erlang starts one, which outlives the test (it is the daemon every
 * Erlang node on the host shares).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/** The server script itself: /usr/sbin/rabbitmq-server would switch to the rabbitmq user and its files. */
const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
/** How long a node may take to accept MQTT connections (boot under a loaded 2-core machine). */
export const RABBITMQ_BOOT_MS = 120_000;

export function hasRabbitMq(): boolean {
  try {
    accessSync(SERVER, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RabbitMqBroker {
  readonly url: string;
  readonly port: number;
  /** SIGTERM to the node's process group, SIGKILL after 10 s; removes the temp dir. Safe to repeat. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) if (child.pid) process.kill(-child.pid, 'SIGKILL');
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

export async function startRabbitMq(): Promise<RabbitMqBroker> {
  if (!hasRabbitMq()) throw new Error(`${SERVER} is not installed`);
  const dir = mkdtempSync(join(tmpdir(), 'hermes-rabbitmq-'));
  const [amqpPort, distPort, mqttPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
      // Hermes' tests connect without credentials; the plugin then uses guest, loopback only.
      'mqtt.allow_anonymous = true',
      'log.console = false',
      'log.file.level = warning',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    RABBITMQ_NODENAME: `hermes_test_${mqttPort}@localhost`,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'node.pid'),
    // One scheduler: a test broker needs little, and the machine has two cores for everyone.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+S 1:1 +A 2',
  };
  // Its own process group: the script runs the Erlang VM as a child, and stop() ends both.
  const child = spawn(SERVER, [], { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let log = '';
  for (const s of [child.stdout, child.stderr]) {
    s?.setEncoding('utf8');
    s?.on('data', (c: string) => {
      log = (log + c).slice(-8_192);
    });
  }
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (!exited()) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      // The VM may outlive the script by a moment; nothing of the group may stay behind.
      killGroup('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    await waitFor(async () => exited() || (await canConnect(mqttPort)), {
      timeoutMs: RABBITMQ_BOOT_MS,
      intervalMs: 100,
      message: `RabbitMQ to accept MQTT connections on 127.0.0.1:${mqttPort}`,
    });
    if (exited()) throw new Error(`rabbitmq-server exited (code ${child.exitCode})`);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nrabbitmq-server output:\n${log}`);
  }
  return { url: `mqtt://127.0.0.1:${mqttPort}`, port: mqttPort, stop };
}
