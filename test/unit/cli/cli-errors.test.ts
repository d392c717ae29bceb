/**
 * A one-shot command's failure or warning is one plain stderr line: no warning before an error it
 * leads to, no pino JSON beside the command's own words (unless HERMES_LOG_LEVEL asks for it).
 * These run the real binary, as pino writes to the process's stderr itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliLogLevel } from '../../../src/cli/context.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { evaluateMessage } from '../../../src/relay/pipeline.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import { startTestBroker } from '../../helpers/brokers.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome());
});
afterEach(() => cleanup());

/** No HERMES_LOG_LEVEL: what a person gets by default. */
const hermes = (args: string[], stdin?: string) =>
  spawnHermes(args, { env: { HERMES_HOME: home, HERMES_LOG_LEVEL: undefined }, stdin });
const lines = (text: string) => text.split('\n').filter(Boolean);

/** A job with one pending permission request r-1, as the bot would have recorded it. */
function jobWithRequest(): string {
  const config = loadConfig({ env: { HERMES_HOME: home } });
  const db = openBotDb(config, silentLogger);
  try {
    const registry = new JobRegistry(db, systemClock, systemRandom);
    const job = registry.register({ profile: 'demo', owner: 'test' });
    const event = fromPlain({
      schema_version: 1,
      job_id: job.id,
      seq: 1,
      event: 'permission_required',
      timestamp: new Date().toISOString(),
      data: { request_id: 'r-1', tool: 'Bash', input: null },
    }) as JsonObject;
    const wire = encodeWire(signEnvelope(event, registry.tokenOf(job.id)!));
    const settings = {
      maxPayloadBytes: 65536,
      clockSkewSeconds: 300,
      replayWindow: 1000,
      approvalTimeoutSeconds: 600,
    };
    expect(evaluateMessage(registry, settings, systemClock, job.id, Buffer.from(wire)).verdict).toBe(
      'accepted',
    );
    return job.id;
  } finally {
    db.close();
  }
}

describe('one clear stderr line', () => {
  it('jobs register --auth-token: a refused token is the error alone; an accepted one gets the ps warning', async () => {
    const bad = await hermes(['jobs', 'register', '--profile', 'demo', '--auth-token', 'short']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([
      'hermes: auth token must be 16-512 printable ASCII characters without spaces',
    ]);
    const ok = await hermes([
      'jobs',
      'register',
      '--profile',
      'demo',
      '--auth-token',
      'a-long-enough-token-0123',
    ]);
    expect(ok.code).toBe(0);
    // Then what this home lacks: no runner paired, no bot running.
    expect(lines(ok.stderr)).toEqual([
      expect.stringMatching(/^hermes: warning: --auth-token puts the secret/),
      expect.stringMatching(
        /^hermes: warning: runner "local" is not paired with this bot \(no runner is paired/,
      ),
      expect.stringMatching(/^hermes: no bot is running on this HERMES_HOME/),
    ]);
  });

  it('jobs decide with the broker out of reach: its own warning, no pino JSON', async () => {
    const id = jobWithRequest();
    const r = await hermes([
      'jobs',
      'decide',
      id,
      'r-1',
      'approve',
      '--by',
      'alice',
      '--mqtt',
      'mqtt://127.0.0.1:9',
    ]);
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        /^hermes: warning: decision recorded but not published \(cannot reach the MQTT broker/,
      ),
    ]);
    const again = await hermes(['jobs', 'decide', id, 'r-nope', 'deny', '--mqtt', 'mqtt://127.0.0.1:9']);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual([
      expect.stringMatching(/^hermes: job j-\w+ has no permission request r-nope/),
    ]);
  });

  it('jobs decide with a broker: the result on stdout, nothing on stderr', async () => {
    const broker = await startTestBroker('embedded');
    try {
      const id = jobWithRequest();
      const r = await hermes(['jobs', 'decide', id, 'r-1', 'deny', '--by', 'alice', '--mqtt', broker.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('r-1: denied by alice\n');
      expect(r.stderr).toBe('');
    } finally {
      await broker.stop();
    }
  });

  it('event verify names the limit it applies', async () => {
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, 'a-long-enough-token-0123', { mode: 0o600 });
    const r = await hermes(['event', 'verify', '--token-file', tokenFile], 'a'.repeat(70_000));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['invalid: too_large: input exceeds 65536 bytes']);
  });

  it('one-shot commands log at warn unless HERMES_LOG_LEVEL says otherwise; daemons at the configured level', () => {
    expect(cliLogLevel('info', {}, false)).toBe('warn');
    expect(cliLogLevel('info', { HERMES_LOG_LEVEL: 'info' }, false)).toBe('info');
    expect(cliLogLevel('debug', {}, false)).toBe('debug');
    expect(cliLogLevel('info', {}, true)).toBe('info');
  });
});
