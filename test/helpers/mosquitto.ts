/**
 * A real Mosquitto for one test: its own config, port and persistence folder in a temp dir.
 * Readiness is a successful TCP connect (polled, bounded), never a fixed sleep.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { findExecutable, mosquittoPath } from './system.js';
import { waitFor } from './wait.js';

export interface MosquittoOptions {
  /** Keep sessions and queued QoS 1 messages on disk across restart() and kill(). Default true. */
  persistence?: boolean;
  /** Folder for config, log and database; a fresh temp dir (removed by stop()) unless given. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
  /** Serve MQTT over TLS with these PEM files; `requireClientCert` also demands a client certificate. */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCert?: boolean };
  /** Accounts (user -> password); anonymous clients are then refused. Needs mosquitto_passwd. */
  users?: Record<string, string>;
  /** Extra mosquitto.conf lines (e.g. `max_queued_messages 0` for floods). */
  extraConfig?: string[];
}

export interface MosquittoBroker {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGTERM and wait for exit (Mosquitto saves its database), then remove the temp dir. Safe to repeat. */
  stop(): Promise<void>;
  /**
   * SIGKILL and wait for exit: a crash. The dir stays, so start() can follow. Mosquitto saves after
   * each change, but a change made just before the kill may not be on disk yet.
   */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit (the database is saved); the dir stays, so start() can follow. */
  halt(): Promise<void>;
  /** Starts again on the same port with the same persistence dir; does nothing if running. */
  start(): Promise<void>;
  /** halt() then start(). */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

/** Brokers still running when the worker exits are killed, so a failed test leaks no process. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function writeConfig(dir: string, port: number, persistence: boolean, opts: MosquittoOptions): string {
  const lines = [`listener ${port} 127.0.0.1`];
  if (opts.tls) {
    lines.push(`cafile ${opts.tls.caFile}`, `certfile ${opts.tls.certFile}`, `keyfile ${opts.tls.keyFile}`);
    lines.push(`require_certificate ${opts.tls.requireClientCert === true}`);
  }
  if (opts.users) {
    lines.push('allow_anonymous false', `password_file ${writePasswordFile(dir, opts.users)}`);
  } else {
    lines.push('allow_anonymous true');
  }
  lines.push('log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice');
  if (persistence) {
    // Save after every change, so even a SIGKILL keeps the queued QoS 1 messages.
    lines.push(
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'autosave_on_changes true',
    );
  }
  lines.push(...(opts.extraConfig ?? []));
  // Started as root, Mosquitto drops to the `mosquitto` user, which cannot write our temp dir.
  if (process.getuid?.() === 0) lines.push('user root');
  const file = join(dir, 'mosquitto.conf');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Plain `user:password` lines, hashed in place by `mosquitto_passwd -U` (no password in argv). */
function writePasswordFile(dir: string, users: Record<string, string>): string {
  const file = join(dir, 'passwd');
  writeFileSync(
    file,
    Object.entries(users)
      .map(([u, p]) => `${u}:${p}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const tool = findExecutable('mosquitto_passwd', ['/usr/bin', '/usr/sbin']);
  if (tool === undefined) throw new Error('mosquitto_passwd is not installed');
  execFileSync(tool, ['-U', file], { stdio: 'pipe' });
  return file;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Spawns Mosquitto and resolves once it accepts connections; rejects with its own log if it dies. */
async function launch(binary: string, conf: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8_192);
  });
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
  });
  child.once('exit', () => live.delete(child));
  const exited = () => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
  try {
    await waitFor(async () => exited() || (await canConnect(port)), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 20,
      message: `mosquitto to accept connections on 127.0.0.1:${port}`,
    });
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\nmosquitto log:\n${log}`);
  }
  if (exited()) {
    throw new Error(
      `mosquitto exited before accepting connections on port ${port} (${spawnError?.message ?? `code ${child.exitCode}`})\n${log}`,
    );
  }
  return child;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const binary = mosquittoPath();
  if (binary === undefined) throw new Error('mosquitto is not installed (looked in /usr/sbin and on PATH)');
  const persistence = opts.persistence ?? true;
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'hermes-mosquitto-'));

  // A free port can be taken by someone else before Mosquitto binds it: pick again, unless the caller chose.
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = opts.port ?? (await freePort());
    try {
      child = await launch(binary, writeConfig(dir, port, persistence, opts), port);
    } catch (e) {
      lastError = e;
      if (opts.port !== undefined || !/in use/i.test(String(e))) break;
    }
  }
  if (child === undefined) {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  let current: ChildProcess | undefined = child;
  const conf = join(dir, 'mosquitto.conf');
  const halt = async (signal: NodeJS.Signals) => {
    const c = current;
    current = undefined;
    if (c === undefined) return;
    c.kill(signal);
    await waitForExit(c, STOP_TIMEOUT_MS);
  };
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await halt('SIGTERM');
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    halt: () => halt('SIGTERM'),
    async start() {
      current ??= await launch(binary, conf, port);
    },
    async restart() {
      await halt('SIGTERM');
      current = await launch(binary, conf, port);
    },
  };
}
