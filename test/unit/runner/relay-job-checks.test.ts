/**
 * The daemon's local relay (startRelay) never takes an event unverified for a job that signs: a
 * token job whose token the runner cannot read is refused, and so is any job whose session ended.
 * Its `next_seq` counts above what the runner received for the job from any publisher.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askRunner } from '../../../runner/agent/runner-socket-client.js';
import type { RunnerJob } from '../../../runner/daemon/daemon-state.js';
import { JobSeqs } from '../../../runner/daemon/job-seqs.js';
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
import { type Db, openDatabase } from '../../../src/store/sqlite.js';
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
  let db: Db;
  let seqs: JobSeqs;
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
    db = openDatabase(join(home, 'runner.db'), { log: silentLogger });
    seqs = new JobSeqs(db, home);
    relay = await startRelay({
      seqs,
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
    db.close();
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

  const nextSeq = (jobId: string, floor?: number) =>
    askRunner(
      join(home, 'runner.sock'),
      { op: 'next_seq', job_id: jobId, ...(floor ? { floor } : {}) },
      5_000,
    );

  it('next_seq: above every seq received for the job, at least the floor, never the same twice', async () => {
    job('j-e', 'token');
    tokens.set('j-e', TOKEN);
    expect(await nextSeq('j-e')).toEqual({ ok: true, seq: 1 });
    // Another publisher (the fleet's agent) used 2..7; the runner received them from the broker.
    seqs.seen('j-e', 7);
    seqs.seen('j-e', 3);
    const many = await Promise.all([nextSeq('j-e'), nextSeq('j-e'), nextSeq('j-e')]);
    expect(many.map((r) => r.seq).sort((x, y) => x! - y!)).toEqual([8, 9, 10]);
    expect(await nextSeq('j-e', 20)).toEqual({ ok: true, seq: 20 });
    expect(await nextSeq('j-e')).toEqual({ ok: true, seq: 21 });
    // The runner's own events and the hook's automatic-decision traces draw from the same counter.
    expect(seqs.next('j-e')).toBe(22);
    seqs.seen('j-e', 40);
    const trace = await askRunner(
      join(home, 'runner.sock'),
      {
        op: 'auto_decision',
        job_id: 'j-e',
        hook: 'PreToolUse',
        tool: 'Read',
        decision: 'allow',
        rule: 'Read(./**)',
        origin: 'profile',
        summary: 'Read a.ts',
      },
      5_000,
    );
    expect(trace).toEqual({ ok: true, seq: 41 });
    // Remembered across a restart of the runner (runner.db), until the job's files go.
    expect(new JobSeqs(db, home).highestSeen('j-e')).toBe(40);
    seqs.forget('j-e');
    expect(seqs.highestSeen('j-e')).toBe(0);
  });

  it('next_seq is refused for jobs it never started and jobs whose session ended', async () => {
    expect(await nextSeq('j-nobody')).toEqual({ ok: false, error: 'unknown job j-nobody' });
    job('j-f', 'none');
    sessions.set('j-f', { jobId: 'j-f', status: 'terminated' });
    expect(await nextSeq('j-f')).toEqual({
      ok: false,
      error: 'the session of job j-f has ended (terminated)',
    });
  });
});
