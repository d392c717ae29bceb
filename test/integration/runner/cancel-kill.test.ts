/**
 * A cancel ends every process of the job, not only the pane's: a child started with `setsid` (its
 * own session and process group, so kill-session's hangup never reaches it) is gone afterwards,
 * whether its parent still runs or exited and left it to init. Real tmux on a private socket; the
 * stray processes are found by a unique marker in their argv.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonState } from '../../../runner/daemon/daemon-state.js';
import { JobCleanup } from '../../../runner/daemon/job-cleanup.js';
import { JobTokens } from '../../../runner/daemon/job-tokens.js';
import { cancelJob, killJobSession } from '../../../runner/daemon/session-commands.js';
import { ProfileSet } from '../../../runner/profiles/profile-set.js';
import { reconcilePass } from '../../../runner/reconcile.js';
import { openSessionStore, type SessionStore } from '../../../runner/session-store.js';
import { sessionNameFor, Tmux } from '../../../runner/tmux.js';
import { nodeExec, tmuxClientEnv } from '../../../runner/tmux-exec.js';
import { YamlMirror } from '../../../runner/yaml-mirror.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import type { RunnerCommandEnvelope } from '../../../src/protocol/schemas.js';
import { hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

const linux = process.platform === 'linux';

/** Live (not zombie) processes whose argv holds `marker`, with their pids and their children's. */
function withMarker(marker: string): { pid: number; children: number[] }[] {
  const out: { pid: number; children: number[] }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(marker)) continue;
      if (alive(Number(name))) out.push({ pid: Number(name), children: childrenOf(Number(name)) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (c) out.push(...c.split(' ').map(Number));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe.skipIf(!hasTmux() || !linux)('cancel ends the detached processes of a job (real tmux)', () => {
  let home: string;
  let tmux: Tmux;
  let store: SessionStore;
  const strays: number[] = [];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-cancel-kill-'));
    tmux = new Tmux({
      socket: `hermes-test-${randomBytes(5).toString('hex')}`,
      exec: nodeExec({ env: tmuxClientEnv(process.env) }),
    });
    store = openSessionStore({ home, log: silentLogger, clock: systemClock });
  });
  afterEach(async () => {
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    strays.length = 0;
    await tmux.killServer();
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function cancelled(jobId: string, script: string): Promise<string> {
    const marker = `hermes-stray-${randomBytes(6).toString('hex')}`;
    const name = sessionNameFor(jobId);
    // What the daemon gives every session: the job's id and the runner's home.
    await tmux.newSession(name, ['sh', '-c', script, 'agent', marker], {
      cwd: home,
      env: { HERMES_JOB_ID: jobId, HERMES_HOME: home },
    });
    store.create({ jobId, profile: 'agent', cwd: home });
    await waitFor(() => withMarker(marker).some((p) => p.children.length > 0), {
      timeoutMs: 10_000,
      message: 'the detached child and its sleep',
    });
    const before = withMarker(marker);
    strays.push(...before.flatMap((p) => [p.pid, ...p.children]));

    const state = new DaemonState(store.db, 'k', systemClock);
    const profiles = new ProfileSet({}, {});
    const r = await cancelJob(
      { event: 'cancel', seq: 2, job_id: jobId, data: {} } as unknown as RunnerCommandEnvelope,
      {
        home,
        tmux,
        store,
        mirror: new YamlMirror(join(home, 'agent-sessions.yaml'), systemClock),
        cleanup: new JobCleanup({
          home,
          store,
          profiles,
          hooks: {},
          tokens: new JobTokens(home, state),
          log: silentLogger,
        }),
        watch: { sync: async () => undefined },
        clock: systemClock,
        log: silentLogger,
        maxAgeMs: 300_000,
      },
    );
    expect(r.status).toBe('done');
    expect(await tmux.hasSession(name)).toBe(false);
    expect(store.getByJob(jobId)?.status).toBe('terminated');
    // The marked process and the sleep it waits on: all gone (init reaps them right away).
    await waitFor(() => strays.every((pid) => !alive(pid)), {
      timeoutMs: 5_000,
      message: 'no process of the job left',
    });
    expect(withMarker(marker)).toEqual([]);
    return marker;
  }

  it('a setsid child of an agent that still runs', async () => {
    await cancelled('j-kill1', `setsid sh -c 'sleep 600; :' "$1" & sleep 600`);
  });

  it('a setsid child whose parent already exited (re-parented to init)', async () => {
    // The parent leaves only once the child runs in its own session (it says so with a file):
    // exiting sooner lets tmux hang up the child before setsid took it out of the pane's session.
    await cancelled(
      'j-kill2',
      `setsid sh -c 'touch "$0.ready"; sleep 600; :' "$1" & while [ ! -e "$1.ready" ]; do sleep 0.01; done; exit 0`,
    );
  });

  it('a nohup child in the background', async () => {
    await cancelled('j-kill3', `nohup sh -c 'sleep 600; :' "$1" >/dev/null 2>&1 & wait`);
  });

  it('reconcile ending a finished job after its linger period ends its detached child too', async () => {
    const jobId = 'j-kill4';
    const marker = `hermes-stray-${randomBytes(6).toString('hex')}`;
    const name = sessionNameFor(jobId);
    // The agent finished (its pane's program exited) but left a detached child behind.
    await tmux.newSession(
      name,
      [
        'sh',
        '-c',
        `setsid sh -c 'touch "$0.ready"; sleep 600; :' "$1" & while [ ! -e "$1.ready" ]; do sleep 0.01; done; exit 0`,
        'agent',
        marker,
      ],
      { cwd: home, env: { HERMES_JOB_ID: jobId, HERMES_HOME: home } },
    );
    store.create({ jobId, profile: 'agent', cwd: home });
    await waitFor(() => withMarker(marker).some((p) => p.children.length > 0), {
      timeoutMs: 10_000,
      message: 'the detached child and its sleep',
    });
    strays.push(...withMarker(marker).flatMap((p) => [p.pid, ...p.children]));
    store.recordEvent(jobId, 'completed');
    const report = await reconcilePass({
      tmux,
      store,
      mirror: new YamlMirror(join(home, 'agent-sessions.yaml'), systemClock),
      clock: systemClock,
      log: silentLogger,
      publishError: async () => 'deferred',
      lingerSeconds: 0,
      retentionSeconds: 3600,
      holderId: 'test',
      killSession: (id, session) => killJobSession({ home, tmux, log: silentLogger }, id, session),
    });
    expect(report.terminated).toEqual([name]);
    expect(await tmux.hasSession(name)).toBe(false);
    await waitFor(() => strays.every((pid) => !alive(pid)), {
      timeoutMs: 5_000,
      message: 'no process of the job left',
    });
    expect(withMarker(marker)).toEqual([]);
  });
});
