/**
 * The newcomer's journey through the real binary: `hermes up --console`
 * driven by a script on stdin, demo profile, embedded broker, real tmux.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { sessionNameFor } from '../../runner/session-names.js';
import { tempHome } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { type HermesProcess, startHermes } from '../helpers/processes.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const canRun = hasTmux() || requireSystemDeps();
let up: HermesProcess | undefined;
let cleanup = () => {};
let socket = '';
afterEach(async () => {
  await up?.stop('SIGKILL');
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left: nothing to clean
  }
  cleanup();
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function sessions(home: string): Array<{ job_id: string; status: string }> {
  const file = join(home, 'agent-sessions.yaml');
  if (!existsSync(file)) return [];
  const doc = parseYaml(readFileSync(file, 'utf8')) as {
    sessions?: Array<{ job_id: string; status: string }>;
  } | null;
  return doc?.sessions ?? [];
}

async function journey(answer: string, expectWord: 'completed' | 'error') {
  const t = tempHome();
  cleanup = t.cleanup;
  socket = `hermes-e2e-${process.pid}-${Date.now()}`;
  const port = await freePort();
  up = startHermes(
    ['up', '--console', '--linger', '0', '--broker-port', String(port)],
    {
      HERMES_HOME: t.home,
      HERMES_TMUX_SOCKET: socket,
      HERMES_DEMO_STEP_MS: '50',
      HERMES_RECONCILE_SCHEDULE: '* * * * * *',
    },
    { stdin: 'pipe' },
  );
  await up.waitForOutput('type /hermes help');
  const brokerPort = Number(/broker at mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(up.output())![1]);
  up.child.stdin!.write('/hermes register demo "tidy the README"\n');
  await up.waitForOutput(/Registered (j-[a-z0-9]+)/);
  const jobId = /Registered (j-[a-z0-9]+)/.exec(up.output())![1]!;
  await up.waitForOutput('Permission needed', 30_000);
  up.child.stdin!.write(`${answer}\n`);
  await up.waitForOutput(new RegExp(`📣 .*Job ${jobId} .*\\b${expectWord}\\b`), 30_000);
  // the session is cleaned up after the linger period and the YAML mirror says so
  await waitFor(() => sessions(t.home).some((s) => s.job_id === jobId && s.status === 'terminated'), {
    timeoutMs: 20_000,
    message: 'agent-sessions.yaml shows the session terminated',
  });
  up.child.kill('SIGINT');
  const { code } = await up.exited;
  expect(code).toBe(0);
  expect(await portOpen(brokerPort)).toBe(false); // no orphaned broker
  return { output: up.output(), jobId };
}

describe.skipIf(!canRun)('hermes up --console (real binary, demo profile)', () => {
  it('register -> started -> progress -> permission -> approve -> completed -> notification -> cleaned up', {
    timeout: 90_000,
  }, async () => {
    const { output, jobId } = await journey('/hermes approve', 'completed');
    const thread = output
      .split('\n')
      .filter((l) => l.startsWith(`[${jobId}]`))
      .join('\n');
    expect(thread).toMatch(/Started/);
    expect(thread).toMatch(/Working/);
    expect(thread).toMatch(/Approved by/);
    expect(thread).toMatch(/Completed/);
    expect(output.match(/📣/g)).toHaveLength(1);
  });

  it('deny with a reason -> the job ends in error', { timeout: 90_000 }, async () => {
    const { output } = await journey('/hermes deny not today', 'error');
    expect(output).toMatch(/Denied by .*not today|not today/);
  });
});

describe.skipIf(!canRun)('npm start (hermes up with no flags and no chat configured)', () => {
  it('falls back to the console chat and stops on "quit"', { timeout: 60_000 }, async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    socket = `hermes-e2e-${process.pid}-${Date.now()}`;
    const port = await freePort();
    // The script npm start runs, minus the port (1883 belongs to the machine's Mosquitto here).
    const script = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'))
      .scripts.start as string;
    expect(script).toBe('node bin/hermes.js up');
    up = startHermes(
      ['up', '--broker-port', String(port)],
      { HERMES_HOME: t.home, HERMES_TMUX_SOCKET: socket },
      {
        stdin: 'pipe',
      },
    );
    await up.waitForOutput('type /hermes help');
    expect(up.output()).toMatch(/chat: console/);
    up.child.stdin!.write('/hermes help\n');
    await up.waitForOutput('/hermes register <profile>');
    up.child.stdin!.write('quit\n');
    expect((await up.exited).code).toBe(0);
    expect(await portOpen(port)).toBe(false);
  });
});

describe.skipIf(!canRun)('hermes up --console: Ctrl-C in the middle of a job', () => {
  it('leaves the agent running, sound state, and the next start re-adopts it and finishes the job', {
    timeout: 120_000,
  }, async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    socket = `hermes-e2e-${process.pid}-${Date.now()}`;
    const port = await freePort();
    const env = {
      HERMES_HOME: t.home,
      HERMES_TMUX_SOCKET: socket,
      HERMES_DEMO_STEP_MS: '50',
      HERMES_RECONCILE_SCHEDULE: '* * * * * *',
    };
    const args = ['up', '--console', '--linger', '0', '--broker-port', String(port)];
    up = startHermes(args, env, { stdin: 'pipe' });
    await up.waitForOutput('type /hermes help');
    up.child.stdin!.write('/hermes register demo "survive a restart"\n');
    await up.waitForOutput(/Registered (j-[a-z0-9]+)/);
    const jobId = /Registered (j-[a-z0-9]+)/.exec(up.output())![1]!;
    await up.waitForOutput('Permission needed', 30_000);

    up.child.kill('SIGINT');
    expect((await up.exited).code).toBe(0);
    expect(await portOpen(port)).toBe(false);
    // The agent still waits for its answer in its tmux session.
    expect(tmuxSessions(socket)).toContain(sessionNameFor(jobId));
    for (const db of ['hermes.db', 'runner.db']) {
      expect(integrityCheck(join(t.home, db)), db).toBe('ok');
    }
    expect(sessions(t.home).find((s) => s.job_id === jobId)?.status).not.toBe('terminated');

    up = startHermes(args, env, { stdin: 'pipe' });
    await up.waitForOutput('type /hermes help');
    up.child.stdin!.write('/hermes approve\n');
    await up.waitForOutput(new RegExp(`📣 .*Job ${jobId} .*\\bcompleted\\b`), 30_000);
    await waitFor(() => sessions(t.home).some((s) => s.job_id === jobId && s.status === 'terminated'), {
      timeoutMs: 20_000,
      message: 'the re-adopted session to be cleaned up after the job completed',
    });
    expect(up.output().match(/📣/g)).toHaveLength(1);
    // The thread goes on under the same job after the restart.
    const thread = up
      .output()
      .split('\n')
      .filter((l) => l.startsWith(`[${jobId}]`))
      .join('\n');
    expect(thread).toMatch(/Approved by/);
    expect(thread).toMatch(/Completed/);
    up.child.kill('SIGINT');
    expect((await up.exited).code).toBe(0);
  });
});

function tmuxSessions(sock: string): string[] {
  try {
    return execFileSync('tmux', ['-L', sock, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}
