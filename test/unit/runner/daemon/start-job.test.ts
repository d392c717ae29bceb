import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allocateSeq, seqDir } from '../../../../runner/agent/seq-allocator.js';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { JobCleanup } from '../../../../runner/daemon/job-cleanup.js';
import { JobEventPublisher } from '../../../../runner/daemon/job-events.js';
import { JobTokens } from '../../../../runner/daemon/job-tokens.js';
import { type StartDeps, startJob } from '../../../../runner/daemon/start-job.js';
import { tokenFilePath } from '../../../../runner/job-files.js';
import { defaultHookInstallers, type HookInstallers } from '../../../../runner/profiles/hook-installers.js';
import { ProfileSet } from '../../../../runner/profiles/profile-set.js';
import { openSessionStore, type SessionStore } from '../../../../runner/session-store.js';
import { type StartAgentOptions, startAgentSession } from '../../../../runner/start-session.js';
import { type Exec, sessionNameFor, Tmux } from '../../../../runner/tmux.js';
import { buildRunnerCommand } from '../../../../src/bot/runner-commands.js';
import { systemRandom } from '../../../../src/clock.js';
import { ProfileConfig } from '../../../../src/config/schema.js';
import { HermesError } from '../../../../src/errors.js';
import { silentLogger } from '../../../../src/log.js';
import { decodeJobPolicy } from '../../../../src/policy/job-policy-file.js';
import {
  type RunnerCommandEnvelope,
  RunnerCommandEnvelope as Schema,
} from '../../../../src/protocol/schemas.js';

const KEY = 'c3RhcnQtam9iLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNk';
const TOKEN = 'job-token-for-tests-0123456789abcdefghijklmno';
const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

describe('startJob', () => {
  let home: string;
  let store: SessionStore;
  let state: DaemonState;
  let published: Array<{ jobId: string; detail: string }>;
  let started: StartAgentOptions[];
  let hooks: HookInstallers;
  let hookLog: string[];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-startjob-'));
    store = openSessionStore({ home, log: silentLogger, clock });
    state = new DaemonState(store.db, 'k', clock);
    published = [];
    started = [];
    hookLog = [];
    hooks = {
      claude: {
        install: (ctx) => {
          hookLog.push(`install ${ctx.cwd}`);
        },
        remove: (cwd) => {
          hookLog.push(`remove ${cwd}`);
        },
      },
    };
  });
  afterEach(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  function deps(over: Partial<StartDeps> = {}): StartDeps {
    const tokens = new JobTokens(home, state);
    const profiles = new ProfileSet(
      {
        agent: ProfileConfig.parse({ argv: ['sh', '-c', 'exit 0', 'sh', '{prompt}'] }),
        hooked: ProfileConfig.parse({ argv: ['sh', '--', '{prompt}'], hooks: 'claude' }),
      },
      {},
    );
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
        error: async (jobId, detail) => {
          published.push({ jobId, detail });
          return 1;
        },
      },
      watch: { beginStart: async () => {}, endStart: () => {}, abortStart: () => {}, sync: async () => {} },
      hooks,
      cleanup: new JobCleanup({ home, store, profiles, hooks, tokens, log: silentLogger }),
      envFor: (p) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...p.env }),
      wrap: (argv) => ['hermes-run', ...argv],
      hermesCommand: '/x/hermes',
      defaultCwd: home,
      cwdRoots: [],
      userHome: home,
      maxAgeMs: 300_000,
      clock,
      log: silentLogger,
      startSession: async (o) => {
        started.push(o);
        return { name: `hermes-${o.jobId}`, panePid: 42, command: 'node', tokenFile: undefined };
      },
      ...over,
    };
  }

  function command(
    jobId: string,
    data: Record<string, unknown>,
    o: { token?: string | null; key?: string } = {},
  ) {
    const wire = buildRunnerCommand(
      'hermes',
      {
        runnerId: 'r1',
        runnerKey: o.key ?? KEY,
        seq: 1,
        command: 'start',
        jobId,
        data,
        token: o.token === undefined ? TOKEN : o.token,
      },
      clock,
      systemRandom,
    ).wire;
    return Schema.parse(JSON.parse(wire)) as RunnerCommandEnvelope;
  }

  it('starts the profile under the wrapper with the prompt as one argument and records the session', async () => {
    const r = await startJob(command('j-1', { profile: 'agent', prompt: 'fix it; now' }), 0, deps());
    expect(r).toEqual({ command: 'start', commandSeq: 1, jobId: 'j-1', status: 'accepted' });
    expect(started[0]).toMatchObject({
      jobId: 'j-1',
      token: TOKEN,
      cwd: home,
      argv: ['hermes-run', 'sh', '-c', 'exit 0', 'sh', 'fix it; now'],
    });
    expect(store.getByJob('j-1')).toMatchObject({ status: 'running', profile: 'agent', panePid: 42 });
    expect(state.job('j-1')).toMatchObject({ auth: 'token', state: 'started' });
    expect(published).toEqual([]);
  });

  it('refuses a second start for the same job without touching the first', async () => {
    await startJob(command('j-1', { profile: 'agent' }), 0, deps());
    const again = await startJob(command('j-1', { profile: 'agent' }), 0, deps());
    expect(again).toMatchObject({ status: 'rejected', reason: 'job j-1 was already started on runner r1' });
    expect(started).toHaveLength(1);
    expect(published).toEqual([]);
  });

  it('an unknown profile is rejected and reported to the job', async () => {
    const r = await startJob(command('j-2', { profile: 'nope' }), 0, deps());
    expect(r.status).toBe('rejected');
    expect(r.reason).toBe('runner r1 has no profile nope (it offers: agent, hooked)');
    expect(published).toEqual([{ jobId: 'j-2', detail: r.reason }]);
    expect(state.job('j-2')).toMatchObject({ state: 'failed' });
    expect(existsSync(join(home, 'jobs', 'j-2'))).toBe(false);
  });

  it('a start that sat too long in the broker is not run, and the job hears why', async () => {
    const r = await startJob(command('j-3', { profile: 'agent' }), 900_000, deps());
    expect(r.reason).toMatch(/reached runner r1 900 s after it was sent; not started/);
    expect(published[0]?.jobId).toBe('j-3');
    expect(started).toEqual([]);
  });

  it('a token sealed for another runner key is refused (nothing can be signed for the job)', async () => {
    const r = await startJob(command('j-4', { profile: 'agent' }, { key: `${KEY.slice(0, -1)}X` }), 0, {
      ...deps(),
      runnerKey: KEY,
    });
    // The command was built (and sealed) with another key; here only the seal matters.
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/does not open with this runner's key/);
    expect(published).toEqual([]);
    expect(state.job('j-4')).toBeUndefined();
  });

  it('a job without auth starts without a token', async () => {
    const r = await startJob(command('j-5', { profile: 'agent' }, { token: null }), 0, deps());
    expect(r.status).toBe('accepted');
    expect(started[0]?.token).toBeUndefined();
    expect(state.job('j-5')?.auth).toBe('none');
  });

  it('installs hooks before the agent starts, and fails closed (and cleans up) when it cannot', async () => {
    await startJob(command('j-6', { profile: 'hooked', prompt: 'p' }), 0, deps());
    expect(hookLog).toEqual([`install ${home}`]);
    const failing = deps({
      startSession: async () => {
        throw new HermesError('tmux', 'agent sh for job j-7 exited at start with status 1');
      },
    });
    const r = await startJob(command('j-7', { profile: 'hooked' }), 0, failing);
    expect(r.reason).toMatch(/exited at start with status 1/);
    // j-6 still runs in the same folder with the hook: it stays.
    expect(hookLog).toEqual([`install ${home}`, `install ${home}`]);
    const none = await startJob(command('j-8', { profile: 'hooked' }), 0, deps({ hooks: {} }));
    expect(none.reason).toMatch(/hooks: claude cannot be installed by this runner build/);
    expect(published.map((p) => p.jobId)).toEqual(['j-7', 'j-8']);
  });

  it('a missing program is an error event with the cause, before any session exists', async () => {
    const missing = new ProfileSet({ x: ProfileConfig.parse({ argv: ['no-such-agent-xyz'] }) }, {});
    const r = await startJob(command('j-9', { profile: 'x' }), 0, deps({ profiles: missing }));
    expect(r.reason).toMatch(/^program no-such-agent-xyz is not installed on this runner/);
    expect(published).toEqual([{ jobId: 'j-9', detail: r.reason }]);
    expect(started).toEqual([]);
    expect(existsSync(tokenFilePath(home, 'j-9'))).toBe(false);
  });

  it('a working directory that does not exist fails before hooks are installed, and nothing creates it', async () => {
    const missing = join(home, 'no', 'such', 'dir');
    const profiles = new ProfileSet(
      { hooked: ProfileConfig.parse({ argv: ['sh', '--', '{prompt}'], hooks: 'claude', cwd: missing }) },
      {},
    );
    const r = await startJob(command('j-10', { profile: 'hooked' }), 0, deps({ profiles }));
    expect(r.reason).toMatch(`cannot start job j-10: working directory ${missing} does not exist`);
    expect(hookLog).toEqual([]);
    expect(published).toEqual([{ jobId: 'j-10', detail: r.reason }]);
    // With the installers this build ships: still no folder, no .claude/settings.local.json.
    const real = deps({ profiles, hooks: defaultHookInstallers(60) });
    const again = await startJob(command('j-11', { profile: 'hooked' }), 0, real);
    expect(again.reason).toMatch(/working directory .*no\/such\/dir does not exist/);
    expect(existsSync(join(home, 'no'))).toBe(false);
    expect(started).toEqual([]);
  });

  it('a failure after the tmux session exists kills it (and the job is failed, reported, cleaned up)', async () => {
    const calls: string[][] = [];
    const exec: Exec = async (_bin, args) => {
      calls.push([...args]);
      return { code: 0, stdout: '', stderr: '' };
    };
    const tmux = new Tmux({ socket: 'fake', exec });
    store.create = () => {
      throw new HermesError('store', 'database is locked');
    };
    const r = await startJob(command('j-12', { profile: 'agent' }), 0, deps({ tmux }));
    expect(r).toMatchObject({ status: 'rejected', reason: 'database is locked' });
    expect(calls.some((a) => a.includes('kill-session') && a.includes(`=${sessionNameFor('j-12')}`))).toBe(
      true,
    );
    expect(state.job('j-12')).toMatchObject({ state: 'failed', detail: 'database is locked' });
    expect(published).toEqual([{ jobId: 'j-12', detail: 'database is locked' }]);
    expect(existsSync(join(home, 'jobs', 'j-12'))).toBe(false);
  });

  it("a failed start's error event takes the seq after the agent's, not seq 1 again", async () => {
    // Real startAgentSession on a fake tmux: the pane's `hermes run` publishes `started` (seq 1), then dies.
    const exec: Exec = async (_bin, args) => {
      if (args.includes('new-session')) {
        expect(allocateSeq(seqDir(home, 'j-13'))).toBe(1);
        return { code: 0, stdout: '', stderr: '' };
      }
      if (args.includes('display-message')) return { code: 0, stdout: '4242 1 1  \n', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    };
    const wires: string[] = [];
    const tokens = new JobTokens(home, state);
    const events = new JobEventPublisher({
      home,
      prefix: 'hermes',
      bus: {
        connected: true,
        publish: async (_topic, wire) => {
          wires.push(String(wire));
        },
      },
      tokens,
      clock,
    });
    const r = await startJob(
      command('j-13', { profile: 'agent' }),
      0,
      deps({
        tmux: new Tmux({ socket: 'fake', exec }),
        tokens,
        events,
        wrap: (argv) => [...argv],
        startSession: startAgentSession,
      }),
    );
    expect(r.reason).toMatch(/exited at start with status 1/);
    expect(wires).toHaveLength(1);
    expect(JSON.parse(wires[0]!)).toMatchObject({ event: 'error', seq: 2 });
    // Removed once the event is out.
    expect(existsSync(join(home, 'jobs', 'j-13'))).toBe(false);
  });

  it('hooks a starting job just installed survive the end of another job in the same folder', async () => {
    const base = deps();
    expect((await startJob(command('j-20', { profile: 'hooked' }), 0, base)).status).toBe('accepted');
    // j-21 installs its hooks; before its session is recorded, j-20 is cancelled and cleaned up.
    const during = deps({
      cleanup: base.cleanup,
      startSession: async (o) => {
        store.markTerminated(sessionNameFor('j-20'), { note: 'cancelled' });
        await (base.cleanup as JobCleanup).afterSession('j-20');
        return { name: sessionNameFor(o.jobId), panePid: 43, command: 'node', tokenFile: undefined };
      },
    });
    expect((await startJob(command('j-21', { profile: 'hooked' }), 0, during)).status).toBe('accepted');
    expect(hookLog).toEqual([`install ${home}`, `install ${home}`]);
    // When j-21's session ends, nobody uses them any more.
    store.markTerminated(sessionNameFor('j-21'), { note: 'done' });
    await (base.cleanup as JobCleanup).afterSession('j-21');
    expect(hookLog).toEqual([`install ${home}`, `install ${home}`, `remove ${home}`]);
  });

  it('writes the token file and notes the start intent before installing hooks', async () => {
    let seen: { token: string; detail: string | null } | undefined;
    hooks.claude = {
      install: () => {
        seen = {
          token: readFileSync(tokenFilePath(home, 'j-22'), 'utf8'),
          detail: state.job('j-22')!.detail,
        };
      },
      remove: () => undefined,
    };
    await startJob(command('j-22', { profile: 'hooked' }), 0, deps());
    expect(seen?.token).toBe(TOKEN);
    expect(JSON.parse(seen!.detail!)).toEqual({ intent: { profile: 'hooked', cwd: home, hooks: 'claude' } });
    expect(state.job('j-22')).toMatchObject({ state: 'started', detail: null });
  });

  it("writes the job's policy before hooks: the bot's rules from the start command, the profile's defaults, hardline", async () => {
    const r = await startJob(
      command('j-pol', { profile: 'hooked', prompt: 'p', approvals: { deny: ['Bash(git push:*)'] } }),
      0,
      deps({ hardline: { add: ['Bash(shutdown:*)'], remove: ['mkfs'] } }),
    );
    expect(r.status).toBe('accepted');
    const file = join(home, 'jobs', 'j-pol', 'policy.json');
    const { policy, cwd } = decodeJobPolicy(readFileSync(file, 'utf8'));
    expect(cwd).toBe(home);
    expect(policy.hardline.map((h) => h.id)).not.toContain('mkfs');
    expect(policy.rules).toContainEqual(
      expect.objectContaining({
        kind: 'deny',
        origin: 'bot',
        rule: expect.objectContaining({ raw: 'Bash(git push:*)' }),
      }),
    );
    expect(policy.rules).toContainEqual(
      expect.objectContaining({
        kind: 'deny',
        origin: 'hardline',
        rule: expect.objectContaining({ raw: 'Bash(shutdown:*)' }),
      }),
    );
    expect(policy.rules).toContainEqual(
      expect.objectContaining({
        kind: 'allow',
        origin: 'profile',
        rule: expect.objectContaining({ raw: 'Read(./**)' }),
      }),
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The accepted start tells the bot the same rules (for /hermes rules from the job's start).
    expect(r.policy?.hardline).toEqual(policy.hardline.map((h) => h.id));
    expect(r.policy?.rules).toEqual(
      policy.rules.map((x) => ({ rule: x.rule.raw, kind: x.kind, origin: x.origin })),
    );
    expect(r.policy?.rules).toContainEqual({ rule: 'Read(./**)', kind: 'allow', origin: 'profile' });
  });

  it('a profile without hooks enforces no rules: its accepted start reports none', async () => {
    const r = await startJob(command('j-nohooks', { profile: 'agent', prompt: 'p' }), 0, deps());
    expect(r.status).toBe('accepted');
    expect(r.policy).toBeUndefined();
  });

  it('a bad rule from the bot fails the start with an error naming it, before hooks are installed', async () => {
    const r = await startJob(
      command('j-bad', { profile: 'hooked', prompt: 'p', approvals: { allow: ['Bash(npm:* x)'] } }),
      0,
      deps(),
    );
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/approvals\.allow\[0\]: rule "Bash\(npm:\* x\)"/);
    expect(hookLog.filter((l) => l.startsWith('install'))).toEqual([]);
    expect(started).toEqual([]);
    expect(published[0]?.detail).toMatch(/approvals\.allow/);
  });
});
