/**
 * Runs test/fixtures/fleet_agent.py, the stand-in for the old Python fleet's publisher and
 * subscriber (Debian's python3 + python3-paho-mqtt), against a test broker.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestBroker } from './brokers.js';
import { pahoPython } from './system.js';

const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'fleet_agent.py');
export const fleetPython = pahoPython();
/** The token the fleet's jobs are signed with in tests (handed to the script in $FLEET_TOKEN). */
export const FLEET_TOKEN = 'fleet-token-0123456789-abcdefghijklmnop_XYZ';

export interface Fleet {
  lines: () => string[];
  done: Promise<{ code: number; stderr: string }>;
}

/** Runs fleet_agent.py; `input` are the JSON lines it reads (NaN and 2**64+1 written as Python reads them). */
export function fleet(
  broker: Pick<TestBroker, 'port'>,
  args: string[],
  input: string[] = [],
  env: Record<string, string> = {},
): Fleet {
  const child = spawn(fleetPython!, [SCRIPT, ...args, '--port', String(broker.port)], {
    env: { PATH: process.env.PATH, FLEET_TOKEN, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  child.stdin.end(input.map((l) => `${l}\n`).join(''));
  const done = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: err })),
  );
  return { lines: () => out.split('\n').filter(Boolean), done };
}

/** Publishes the spec lines the fleet's way and waits for every PUBACK; resolves with the seqs used. */
export async function fleetPublish(
  broker: Pick<TestBroker, 'port'>,
  input: string[],
  protocol = '4',
  env: Record<string, string> = {},
): Promise<number[]> {
  const f = fleet(broker, ['publish', '--protocol', protocol], input, env);
  const r = await f.done;
  expect(r.code, r.stderr).toBe(0);
  return f.lines().map((l) => (JSON.parse(l) as { seq: number }).seq);
}

/** One spec line: the event (raw JSON text inside, so NaN and big ints stay as written). */
export const fleetSpec = (jobId: string, seq: number, event: string, rest = '', extra = '') =>
  `{"event": {"schema_version": 1, "job_id": "${jobId}", "seq": ${seq}, "event": "${event}", "timestamp": "2026-01-01T00:00:00Z"${rest}}${extra}}`;
