/**
 * The daemon's local relay (startRelay) never takes an event unverified for a job that signs: a
 * token job whose token the runner cannot read is refused, and so is any job whose session ended.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askRunner } from '../../../runner/agent/runner-socket-client.js';
import type { RunnerJob } from '../../../runner/daemon/daemon-state.js';
import { startRelay } from '../../../runner/daemon/runner-setup.js';
import type { LocalRelay } from '../../../runner/relay/relay-types.js';
import type { Session } from '../../../runner/session-record.js';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { HermesError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { topics } from '../../../src/protocol/topics.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { idleBus } from '../../helpers/bus-clients.js';
import { tempHome } from '../../helpers/cli.js';

const TOKEN = 'relay-check-token-0123456789abcdefghijklmnopq';

function wire(jobId: string, token: string | null): string {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq: 1,
    event: 'progress',
    timestamp: new Date().toISOString(),
    detail: 'working',
    data: {},
  }) as JsonObject;
  return encodeWire(token === null ? env : signEnvelope(env, token));
}

describe('daemon relay: which jobs may publish', () => {
  let home: string;
  let cleanup: () => void;
  let relay: LocalRelay;
  const jobs = new Map<string, RunnerJob>();
  const tokens = new Map<string, string | null | Error>();
  const sessions = new Map<string, Partial<Session>>();
  const recorded: string[] = [];

  beforeEach(async () => {
    ({ home, cleanup } = tempHome('hermes-relay-checks-'));
    jobs.clear();
    tokens.clear();
    sessions.clear();
    recorded.length = 0;
    relay = await startRelay({
      home,
      bus: idleBus,
      prefix: 'hermes',
      log: silentLogger,
      clock: systemClock,
      config: loadConfig({ env: { HERMES_HOME: home } }),
      store: {
        recordEvent: (jobId) => {
          recorded.push(jobId);
          return undefined;
        },
        getByJob: (jobId) => sessions.get(jobId) as Session | undefined,
      },
      state: { job: (jobId) => jobs.get(jobId) },
      tokens: {
        get: (jobId) => {
          const t = tokens.get(jobId);
          if (t instanceof Error) throw t;
          if (t === undefined) throw new HermesError('unknown_job', `runner holds no token for job ${jobId}`);
          return t;
        },
      },
    });
  });
  afterEach(async () => {
    await relay.close();
    cleanup();
  });

  const publish = (jobId: string, token: string | null) =>
    askRunner(
      join(home, 'runner.sock'),
      {
        op: 'publish',
        job_id: jobId,
        seq: 1,
        topic: topics.jobEvents('hermes', jobId),
        wire: wire(jobId, token),
        retain: false,
      },
      5_000,
    );
  const job = (jobId: string, auth: 'token' | 'none'): void => {
    jobs.set(jobId, { jobId, auth, state: 'started', detail: null });
  };

  it('refuses every event of a token job whose token it cannot read, signed or not', async () => {
    job('j-a', 'token');
    tokens.set('j-a', new HermesError('env', 'cannot read job token: EACCES'));
    for (const t of [null, TOKEN]) {
      const r = await publish('j-a', t);
      expect(r.ok).toBe(false);
      expect(r.error).toBe(
        'the runner cannot read the token of job j-a, so its events cannot be verified; refused',
      );
    }
    expect(recorded).toEqual([]);
  });

  it('checks the signature when the token is known; a --no-auth job needs none', async () => {
    job('j-b', 'token');
    tokens.set('j-b', TOKEN);
    expect(await publish('j-b', null)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/signature/),
    });
    expect(await publish('j-b', TOKEN)).toEqual({ ok: true });
    job('j-c', 'none');
    expect(await publish('j-c', null)).toEqual({ ok: true });
    expect(recorded).toEqual(['j-b', 'j-c']);
  });

  it('refuses jobs whose session has ended, and jobs it never started', async () => {
    job('j-d', 'token');
    tokens.set('j-d', TOKEN);
    sessions.set('j-d', { jobId: 'j-d', status: 'terminated' });
    expect(await publish('j-d', TOKEN)).toEqual({
      ok: false,
      error: 'the session of job j-d has ended (terminated)',
    });
    sessions.set('j-d', { jobId: 'j-d', status: 'archived' });
    expect((await publish('j-d', TOKEN)).error).toMatch(/has ended \(archived\)/);
    expect(await publish('j-nobody', TOKEN)).toEqual({ ok: false, error: 'unknown job j-nobody' });
    // An agent that is still being looked at (stopped: its program exited) may still report.
    sessions.set('j-d', { jobId: 'j-d', status: 'stopped' });
    expect(await publish('j-d', TOKEN)).toEqual({ ok: true });
  });
});
