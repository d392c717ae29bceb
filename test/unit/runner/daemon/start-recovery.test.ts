/**
 * Starts a killed runner left half done (runner_jobs `starting`): adopted when their tmux session
 * exists, failed (error event, files and hooks removed) when it does not; and a cancel that finds no
 * session row still kills `hermes-<job>`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { JobCleanup } from '../../../../runner/daemon/job-cleanup.js';
import { JobTokens } from '../../../../runner/daemon/job-tokens.js';
import { cancelJob, type SessionCommandDeps } from '../../../../runner/daemon/session-commands.js';
import { encodeStartIntent, recoverInterruptedStarts } from '../../../../runner/daemon/start-recovery.js';
import { tokenFilePath, writeTokenFile } from '../../../../runner/job-files.js';
import { ProfileSet } from '../../../../runner/profiles/profile-set.js';
import { openSessionStore, type SessionStore } from '../../../../runner/session-store.js';
import { type PaneState, sessionNameFor } from '../../../../runner/tmux.js';
import { YamlMirror } from '../../../../runner/yaml-mirror.js';
import { ProfileConfig } from '../../../../src/config/schema.js';
import { silentLogger } from '../../../../src/log.js';
import type { RunnerCommandEnvelope } from '../../../../src/protocol/schemas.js';

const TOKEN = 'job-token-for-tests-0123456789abcdefghijklmno';
const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

describe('starts interrupted by a restart', () => {
  let home: string;
  let store: SessionStore;
  let state: DaemonState;
  let published: Array<{ jobId: string; detail: string }>;
  let hookLog: string[];
  let cleanup: JobCleanup;
  let panes: Map<string, PaneState>;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-recovery-'));
    store = openSessionStore({ home, log: silentLogger, clock });
    state = new DaemonState(store.db, 'k', clock);
    published = [];
    hookLog = [];
    panes = new Map();
    const hooks = {
      claude: {
        install: () => undefined,
        remove: (cwd: string) => {
          hookLog.push(`remove ${cwd}`);
        },
      },
    };
    const profiles = new ProfileSet(
      { hooked: ProfileConfig.parse({ argv: ['sh', '--', '{prompt}'], hooks: 'claude' }) },
      {},
    );
    cleanup = new JobCleanup({
      home,
      store,
      profiles,
      hooks,
      tokens: new JobTokens(home, state),
      log: silentLogger,
    });
  });
  afterEach(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** What a runner killed after the claim, the token file and the intent leaves behind. */
  function interrupted(jobId: string): void {
    expect(state.claimJob(jobId, 'token', 1)).toBe(true);
    writeTokenFile(home, jobId, TOKEN);
    state.setJobState(
      jobId,
      'starting',
      encodeStartIntent({ profile: 'hooked', cwd: home, hooks: 'claude' }),
    );
  }

  const recover = () =>
    recoverInterruptedStarts({
      runnerId: 'r1',
      store,
      state,
      tmux: { paneState: async (name) => panes.get(name) },
      events: {
        error: async (jobId, detail) => {
          published.push({ jobId, detail });
          return 1;
        },
      },
      cleanup,
      clock,
      log: silentLogger,
    });

  it('adopts the tmux session a start had created as running', async () => {
    interrupted('j-1');
    panes.set(sessionNameFor('j-1'), {
      pid: 777,
      dead: false,
      deadStatus: undefined,
      deadSignal: undefined,
      currentCommand: 'node',
    });
    expect(await recover()).toEqual({ adopted: ['j-1'], failed: [] });
    expect(store.getByJob('j-1')).toMatchObject({
      status: 'running',
      profile: 'hooked',
      cwd: home,
      panePid: 777,
    });
    expect(state.job('j-1')).toMatchObject({ state: 'started' });
    expect(published).toEqual([]);
    expect(existsSync(tokenFilePath(home, 'j-1'))).toBe(true);
    expect(hookLog).toEqual([]);
  });

  it('fails a start that never got its session: error event, files and hooks removed', async () => {
    interrupted('j-2');
    expect(await recover()).toEqual({ adopted: [], failed: ['j-2'] });
    expect(state.job('j-2')).toMatchObject({ state: 'failed' });
    expect(published).toEqual([
      { jobId: 'j-2', detail: 'runner r1 stopped while starting job j-2; not started' },
    ]);
    expect(existsSync(join(home, 'jobs', 'j-2'))).toBe(false);
    expect(hookLog).toEqual([`remove ${home}`]);
    // Settled: a second start-up has nothing left to do.
    expect(await recover()).toEqual({ adopted: [], failed: [] });
  });

  it('a start whose session was recorded only needs its state', async () => {
    interrupted('j-3');
    store.create({ jobId: 'j-3', profile: 'hooked', cwd: home });
    expect(await recover()).toEqual({ adopted: ['j-3'], failed: [] });
    expect(state.job('j-3')).toMatchObject({ state: 'started' });
  });

  describe('cancel without a session row', () => {
    const cancel = (jobId: string): RunnerCommandEnvelope =>
      ({ event: 'cancel', seq: 5, job_id: jobId, data: {} }) as unknown as RunnerCommandEnvelope;

    function deps(live: Set<string>, killed: string[]): SessionCommandDeps {
      return {
        home,
        tmux: {
          paneState: async () => undefined,
          capturePane: async () => '',
          killSession: async (name) => {
            killed.push(name);
            return live.delete(name);
          },
        },
        store,
        mirror: new YamlMirror(join(home, 'agent-sessions.yaml'), clock),
        cleanup,
        watch: { sync: async () => undefined },
        clock,
        log: silentLogger,
        maxAgeMs: 300_000,
        killTree: async () => ({ signalled: [], groups: [], forced: [] }),
      };
    }

    it('kills hermes-<job> by its name', async () => {
      const killed: string[] = [];
      const live = new Set([sessionNameFor('j-4')]);
      const r = await cancelJob(cancel('j-4'), deps(live, killed));
      expect(r).toMatchObject({
        status: 'done',
        reason: 'killed session hermes-j-4, which this runner had not recorded',
      });
      expect(killed).toEqual(['hermes-j-4']);
      expect(live.size).toBe(0);
    });

    it('answers "no session" when there is none', async () => {
      const r = await cancelJob(cancel('j-5'), deps(new Set(), []));
      expect(r).toMatchObject({ status: 'rejected', reason: 'no session for job j-5 on this runner' });
    });
  });
});
