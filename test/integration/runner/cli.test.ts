import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeSettingsPath, installClaudeHooks } from '../../../runner/hooks/install-claude.js';
import { openSessionStore, type SessionStore } from '../../../runner/session-store.js';
import { sessionNameFor, Tmux } from '../../../runner/tmux.js';
import { nodeExec, tmuxClientEnv } from '../../../runner/tmux-exec.js';
import { silentLogger } from '../../../src/log.js';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { hasTmux, requireSystemDeps } from '../../helpers/system.js';

// Skips without tmux, unless HERMES_REQUIRE_SYSTEM_DEPS=1 (then it runs, and fails).
const canRun = hasTmux() || requireSystemDeps();

describe.skipIf(!canRun)('hermes sessions / reconcile (real tmux, in-process CLI)', () => {
  let home: string;
  let cleanup: () => void;
  let socket: string;
  let tmux: Tmux;
  let store: SessionStore;
  let env: Record<string, string | undefined>;

  beforeEach(() => {
    ({ home, cleanup } = tempHome('hermes-runner-cli-'));
    socket = `hermes-test-${randomBytes(5).toString('hex')}`;
    tmux = new Tmux({ socket, exec: nodeExec({ env: tmuxClientEnv(process.env) }) });
    store = openSessionStore({ home, log: silentLogger });
    env = { HERMES_HOME: home, HERMES_TMUX_SOCKET: socket, PATH: process.env.PATH };
  });
  afterEach(async () => {
    await tmux.killServer();
    store.close();
    cleanup();
  });

  async function startJob(jobId: string) {
    await tmux.newSession(sessionNameFor(jobId), ['sleep', '600'], { cwd: home, env: {} });
    store.create({ jobId, profile: 'claude', cwd: home });
  }

  it('lists and shows sessions, as text and JSON', async () => {
    expect((await runHermes(['sessions', 'list'], { env })).stdout).toBe('no sessions\n');
    await startJob('j-1');
    await startJob('j-2');
    store.markStopped('hermes-j-2', { exitStatus: 1, note: 'agent exited with status 1' });

    const text = await runHermes(['sessions', 'list'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^hermes-j-1 {2}running {4}.*job=j-1/m);
    expect(text.stdout).toMatch(/^hermes-j-2 {2}stopped .*exit=1$/m);

    const json = JSON.parse(
      (await runHermes(['sessions', 'list', '--status', 'stopped', '--json'], { env })).stdout,
    );
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ name: 'hermes-j-2', job_id: 'j-2', status: 'stopped', exit_status: 1 });

    const bad = await runHermes(['sessions', 'list', '--status', 'gone'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of running, stopped, terminated, archived/);

    const show = await runHermes(['sessions', 'show', 'j-2'], { env });
    expect(show.stdout).toMatch(/^session {5}hermes-j-2$/m);
    expect(show.stdout).toMatch(/^note {8}agent exited with status 1$/m);
    const showJson = JSON.parse(
      (await runHermes(['sessions', 'show', 'hermes-j-1', '--json'], { env })).stdout,
    );
    expect(showJson).toMatchObject({ name: 'hermes-j-1', status: 'running', cwd: home });

    const missing = await runHermes(['sessions', 'show', 'nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no session named nope/);
  });

  it('reconcile needs --once', async () => {
    const r = await runHermes(['reconcile'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only --once is supported here/);
  });

  it('reconcile --once records a vanished session for the runner to report', async () => {
    await startJob('j-1');
    await tmux.killSession('hermes-j-1');
    const r = await runHermes(['reconcile', '--once', '--json'], { env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      checked: 1,
      stopped: ['hermes-j-1'],
      owed: ['j-1'],
      reported: [],
      failures: [],
    });
    expect(store.owingErrorEvents().map((s) => s.jobId)).toEqual(['j-1']);
    expect(existsSync(join(home, 'agent-sessions.yaml'))).toBe(true);
  });

  it('reconcile --once --linger 0 kills a finished job, removes its token file and its Claude hooks', async () => {
    await startJob('j-1');
    mkdirSync(join(home, 'jobs', 'j-1'), { recursive: true });
    writeFileSync(join(home, 'jobs', 'j-1', 'token'), 'secret', { mode: 0o600 });
    // The `claude` profile's hooks, installed into the job's working copy next to the user's own setting.
    const settings = claudeSettingsPath(home);
    mkdirSync(join(home, '.claude'), { recursive: true });
    writeFileSync(settings, JSON.stringify({ permissions: { allow: ['Read'] } }));
    installClaudeHooks(home, { command: '/opt/hermes/bin/hermes hook claude' });
    expect(JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse).toHaveLength(1);
    store.recordEvent('j-1', 'completed');
    const r = await runHermes(['reconcile', '--once', '--linger', '0'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^terminated {2}hermes-j-1$/m);
    expect(await tmux.hasSession('hermes-j-1')).toBe(false);
    expect(existsSync(join(home, 'jobs', 'j-1'))).toBe(false);
    // Hermes' hooks are gone; the user's own setting stays.
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual({ permissions: { allow: ['Read'] } });

    const bad = await runHermes(['reconcile', '--once', '--linger', '-5'], { env });
    expect(bad.code).toBe(2);
  });

  it('reconcile --once skips with exit 3 while another process holds the lease', async () => {
    store.tryAcquireLease('runner-daemon', 60_000);
    const r = await runHermes(['reconcile', '--once'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^skipped: another reconcile pass is running \(holder runner-daemon/);
  });

  it('reconcile --once leaves Claude hooks that another live session in the same folder still uses', async () => {
    await startJob('j-1');
    await startJob('j-2');
    installClaudeHooks(home, { command: '/opt/hermes/bin/hermes hook claude' });
    store.recordEvent('j-1', 'completed');
    const r = await runHermes(['reconcile', '--once', '--linger', '0', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ terminated: ['hermes-j-1'], failures: [] });
    expect(JSON.parse(readFileSync(claudeSettingsPath(home), 'utf8')).hooks.PreToolUse).toHaveLength(1);
  });
});
