import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { JobCleanup } from '../../../../runner/daemon/job-cleanup.js';
import { JobTokens } from '../../../../runner/daemon/job-tokens.js';
import { type StartDeps, startJob } from '../../../../runner/daemon/start-job.js';
import { ProfileSet } from '../../../../runner/profiles/profile-set.js';
import { openSessionStore, type SessionStore } from '../../../../runner/session-store.js';
import type { StartAgentOptions } from '../../../../runner/start-session.js';
import { Tmux } from '../../../../runner/tmux.js';
import { JobWorktrees } from '../../../../runner/worktrees/job-worktrees.js';
import { WorktreeStore } from '../../../../runner/worktrees/worktree-store.js';
import { buildRunnerCommand } from '../../../../src/bot/runner-commands.js';
import { systemRandom } from '../../../../src/clock.js';
import { ProfileConfig, RepoConfig } from '../../../../src/config/schema.js';
import { silentLogger } from '../../../../src/log.js';
import {
  type RunnerCommandEnvelope,
  RunnerCommandEnvelope as Schema,
} from '../../../../src/protocol/schemas.js';
import { git, makeRepos, type Repos, testGit } from './git-repos.js';

const KEY = 'c3RhcnQtam9iLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNk';
const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

describe('a worktree job through the start command', () => {
  let repos: Repos;
  let home: string;
  let store: SessionStore;
  let started: StartAgentOptions[];
  let errors: string[];
  let worktrees: JobWorktrees;
  let cleanup: JobCleanup;

  beforeEach(() => {
    repos = makeRepos();
    home = mkdtempSync(join(tmpdir(), 'hermes-wt-start-'));
    store = openSessionStore({ home, log: silentLogger, clock });
    started = [];
    errors = [];
  });
  afterEach(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
    repos.cleanup();
  });

  function deps(base = 'main'): StartDeps {
    const state = new DaemonState(store.db, 'k', clock);
    const tokens = new JobTokens(home, state);
    const profiles = new ProfileSet(
      {
        agent: ProfileConfig.parse({ argv: ['sh', '-c', 'exit 0'] }),
        fixer: ProfileConfig.parse({ argv: ['sh', '-c', 'exit 0'], worktree: true, repo: 'app' }),
      },
      {},
    );
    worktrees = new JobWorktrees({
      repos: { app: RepoConfig.parse({ path: repos.main, base }) },
      worktreesDir: repos.worktrees,
      git: testGit(),
      store: new WorktreeStore(store.db, clock),
      log: silentLogger,
    });
    const hooks = {};
    cleanup = new JobCleanup({ home, store, profiles, hooks, tokens, log: silentLogger, worktrees });
    return {
      runnerId: 'r1',
      runnerKey: KEY,
      home,
      tmux: new Tmux({ socket: 'unused-in-this-test' }),
      store,
      state,
      profiles,
      tokens,
      events: {
        error: async (_jobId, detail) => {
          errors.push(detail);
          return 1;
        },
      },
      watch: { beginStart: async () => {}, endStart: () => {}, abortStart: () => {}, sync: async () => {} },
      hooks,
      cleanup,
      envFor: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
      wrap: (argv) => argv as string[],
      hermesCommand: '/x/hermes',
      defaultCwd: home,
      cwdRoots: [],
      userHome: home,
      maxAgeMs: 300_000,
      clock,
      log: silentLogger,
      worktrees,
      startSession: async (o) => {
        started.push(o);
        return { name: `hermes-${o.jobId}`, panePid: 42, command: 'node', tokenFile: undefined };
      },
    };
  }

  const command = (jobId: string, data: Record<string, unknown>): RunnerCommandEnvelope =>
    Schema.parse(
      JSON.parse(
        buildRunnerCommand(
          'hermes',
          { runnerId: 'r1', runnerKey: KEY, seq: 1, command: 'start', jobId, data, token: null },
          clock,
          systemRandom,
        ).wire,
      ),
    ) as RunnerCommandEnvelope;

  it('--repo runs the agent in a new worktree on its own branch; the end of its session removes the folder only', async () => {
    const r = await startJob(command('j-1', { profile: 'agent', repo: 'app', prompt: 'x' }), 0, deps());
    expect(r.status).toBe('accepted');
    const path = join(repos.worktrees, 'j-1');
    expect(started[0]?.cwd).toBe(path);
    expect(git(path, 'branch', '--show-current').trim()).toBe('hermes/j-1');
    await cleanup.afterSession('j-1');
    expect(existsSync(path)).toBe(false);
    expect(git(repos.main, 'branch', '--list', 'hermes/j-1')).toContain('hermes/j-1');
  });

  it('a profile with worktree: true uses its repository without --repo', async () => {
    const r = await startJob(command('j-2', { profile: 'fixer', prompt: 'x' }), 0, deps());
    expect(r.status).toBe('accepted');
    expect(started[0]?.cwd).toBe(join(repos.worktrees, 'j-2'));
  });

  it('a base that does not exist ends the job in error with git words; no agent starts', async () => {
    const r = await startJob(command('j-3', { profile: 'agent', repo: 'app', prompt: 'x' }), 0, deps('nope'));
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/base nope does not exist in repository app/);
    expect(errors).toEqual([r.reason]);
    expect(started).toEqual([]);
  });

  it('--repo and --cwd together, or an unknown repository, are refused before git runs', async () => {
    const a = await startJob(command('j-4', { profile: 'agent', repo: 'app', cwd: '/tmp' }), 0, deps());
    expect(a.reason).toMatch(/give --repo or --cwd, not both/);
    const b = await startJob(command('j-5', { profile: 'agent', repo: 'web' }), 0, deps());
    expect(b.reason).toBe('this runner has no repository web (it has: app)');
    expect(existsSync(repos.worktrees)).toBe(false);
  });

  it('a start that fails after its worktree exists removes it and its unused branch', async () => {
    const d = deps();
    d.startSession = async () => {
      throw new Error('tmux is gone');
    };
    const r = await startJob(command('j-6', { profile: 'agent', repo: 'app' }), 0, d);
    expect(r.reason).toBe('tmux is gone');
    expect(existsSync(join(repos.worktrees, 'j-6'))).toBe(false);
    expect(git(repos.main, 'branch', '--list', 'hermes/j-6')).toBe('');
  });
});
