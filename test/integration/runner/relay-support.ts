/** Shared setup of the local-relay tests: a runner-side relay on a temp home, agent env, raw socket talk. */
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import {
  type LocalRelay,
  type LocalRelayOptions,
  startLocalRelay,
} from '../../../runner/relay/local-relay.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { testBus } from '../../helpers/bus-clients.js';

export const TOKEN = 'relay-test-token-0123456789abcdefghijklmnopq';

export async function runnerBus(url: string, id: string): Promise<MqttBus> {
  // The runner keeps a persistent session, as the daemon does.
  return testBus(url, { clientId: `hermes-runner-${id}`, clean: false });
}

export function relayAt(
  home: string,
  bus: MqttBus,
  prefix: string,
  extra: Partial<LocalRelayOptions> = {},
): Promise<LocalRelay> {
  return startLocalRelay({
    socketPath: join(home, 'runner.sock'),
    home,
    bus,
    prefix,
    log: silentLogger,
    clock: systemClock,
    maxPayloadBytes: 65536,
    ...extra,
  });
}

/** The environment of an agent in a runner session: socket only, no broker URL (no fallback). */
export function agentEnv(home: string, jobId: string, prefix: string): Record<string, string> {
  const tokenFile = join(home, `token-${jobId}`);
  writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  return {
    HERMES_HOME: join(home, 'agent'),
    HERMES_JOB_ID: jobId,
    HERMES_TOKEN_FILE: tokenFile,
    HERMES_RUNNER_SOCKET: join(home, 'runner.sock'),
    HERMES_TOPIC_PREFIX: prefix,
  };
}

/** Writes `data` to the socket and resolves with the first reply line ('' if it closed without one). */
export function talk(path: string, data: string | Buffer, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => {
      sock.write(data);
      if (opts.end) sock.end();
    });
    sock.on('data', (c: string) => {
      buf += c;
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // The relay may close a flooding client before reading everything: its reply still counts.
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    sock.on('close', () => resolve(buf.split('\n')[0] ?? ''));
  });
}

/** A signed wire for a job, as `hermes publish` would build it. */
export function signedEvent(
  jobId: string,
  seq: number,
  event: string,
  detail: string,
  extra: Record<string, unknown> = {},
): string {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq,
    event,
    timestamp: new Date().toISOString(),
    detail,
    data: extra,
  }) as JsonObject;
  return encodeWire(signEnvelope(env, TOKEN));
}

export function signedDecision(jobId: string, requestId: string, decision: 'approve' | 'deny'): string {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq: 1,
    event: 'decision',
    timestamp: new Date().toISOString(),
    data: { request_id: requestId, decision, decided_by: 'cli:tester', reason: `${decision} in test` },
  }) as JsonObject;
  return encodeWire(signEnvelope(env, TOKEN));
}
