/**
 * The newcomer's journey through the real binary: `hermes up --console`
 * driven by a script on stdin, demo profile, embedded broker, real tmux.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
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
  const { execFileSync } = await import('node:child_process');
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
