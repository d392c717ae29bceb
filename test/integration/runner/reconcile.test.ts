import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type PublishError, type ReconcileDeps, reconcilePass } from '../../../runner/reconcile.js';
import { openSessionStore, type SessionStore } from '../../../runner/session-store.js';
import { sessionNameFor, Tmux } from '../../../runner/tmux.js';
import { nodeExec, tmuxClientEnv } from '../../../runner/tmux-exec.js';
import { mirrorPath, YamlMirror } from '../../../runner/yaml-mirror.js';
import { silentLogger } from '../../../src/log.js';
import { captureLog } from '../../helpers/log-capture.js';
import { hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

if (!hasTmux()) console.warn('!! tmux not found: test/integration/runner/reconcile.test.ts is SKIPPED');

const T0 = Date.parse('2026-06-21T10:00:00.000Z');

describe.skipIf(!hasTmux())('reconcilePass (real tmux, real SQLite, injected clock)', () => {
  let home: string;
  let now: number;
  let socket: string;
  /** The tmux the runner reconciles with (its calls are counted). */
  let tmux: Tmux;
  /** A person at the terminal: same server, separate counter. */
  let hand: Tmux;
  let store: SessionStore;
  let published: Array<{ jobId: string; detail: string }>;
  let cleaned: string[];
  const clock = { now: () => now };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-reconcile-'));
    now = T0;
    socket = `hermes-test-${randomBytes(5).toString('hex')}`;
    const exec = nodeExec({ env: tmuxClientEnv(process.env) });
    tmux = new Tmux({ socket, exec });
    hand = new Tmux({ socket, exec });
    store = openSessionStore({ home, log: silentLogger, clock });
    published = [];
    cleaned = [];
  });

  afterEach(async () => {
    await hand.killServer();
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  const publishOk: PublishError = async (jobId, detail) => {
    published.push({ jobId, detail });
  };

  function deps(over: Partial<ReconcileDeps> = {}): ReconcileDeps {
    return {
      tmux,
      store,
      mirror: new YamlMirror(mirrorPath(home), clock),
      clock,
      log: silentLogger,
      publishError: publishOk,
      lingerSeconds: 600,
      retentionSeconds: 3600,
      holderId: 'holder-a',
      cleanupJob: (jobId) => {
        cleaned.push(jobId);
      },
      ...over,
    };
  }

  /** One pass, checking the promise of exactly one list-sessions call (plus any kills). */
  async function pass(over: Partial<ReconcileDeps> = {}) {
    tmux.resetCalls();
    const report = await reconcilePass(deps(over));
    expect(tmux.calls('list-sessions')).toBe(report.skipped ? 0 : 1);
    expect(tmux.calls()).toBe(tmux.calls('list-sessions') + tmux.calls('kill-session'));
    return report;
  }

  async function startJob(jobId: string, argv = ['sleep', '600']) {
    await hand.newSession(sessionNameFor(jobId), argv, { cwd: home, env: {} });
    return store.create({ jobId, profile: 'test', cwd: home });
  }

  const yamlStatus = (name: string) => {
    const doc = parse(readFileSync(mirrorPath(home), 'utf8')) as {
      sessions: Array<{ name: string; status: string }>;
    };
    return doc.sessions.find((s) => s.name === name)?.status;
  };

  it('leaves healthy sessions alone with one tmux call', async () => {
    await startJob('j-1');
    await startJob('j-2');
    const r = await pass();
    expect(r).toMatchObject({
      checked: 2,
      tmuxSessions: 2,
      stopped: [],
      terminated: [],
      unknown: [],
      failures: [],
    });
    expect(tmux.calls()).toBe(1);
    expect(store.list({ status: 'running' })).toHaveLength(2);
  });

  it('marks a session killed by hand stopped and reports it once', async () => {
    await startJob('j-1');
    await startJob('j-2');
    await hand.killSession('hermes-j-1');
    now += 1000;

    const r = await pass();
    expect(r.stopped).toEqual(['hermes-j-1']);
    expect(r.reported).toEqual(['j-1']);
    expect(published).toEqual([
      { jobId: 'j-1', detail: 'session vanished without the job reporting completed or error' },
    ]);
    expect(store.get('hermes-j-1')).toMatchObject({
      status: 'stopped',
      note: 'session vanished',
      lastEvent: 'error',
      endedAt: '2026-06-21T10:00:01.000Z',
    });
    expect(store.get('hermes-j-2')?.status).toBe('running');
    expect(yamlStatus('hermes-j-1')).toBe('stopped');

    await pass();
    expect(published).toHaveLength(1);
  });

  it('does not owe an error event when the job had already ended', async () => {
    await startJob('j-1');
    store.recordEvent('j-1', 'completed', now);
    await hand.killSession('hermes-j-1');
    const r = await pass();
    expect(r.stopped).toEqual(['hermes-j-1']);
    expect(published).toEqual([]);
  });

  it('reads the exit status of an agent that exited, and reports the missing terminal event', async () => {
    await startJob('j-exit', ['sh', '-c', 'exit 3']);
    await waitFor(async () => (await hand.listSessions()).some((s) => s.paneDeadStatus !== undefined), {
      timeoutMs: 10_000,
      message: 'the agent pane to be dead',
    });
    const r = await pass();
    expect(r.stopped).toEqual(['hermes-j-exit']);
    expect(store.get('hermes-j-exit')).toMatchObject({
      status: 'stopped',
      exitStatus: 3,
      note: 'agent exited with status 3',
    });
    expect(published).toEqual([
      { jobId: 'j-exit', detail: 'agent exited with status 3 without the job reporting completed or error' },
    ]);
    // The dead pane is kept for peeking until the linger ends.
    expect(await hand.hasSession('hermes-j-exit')).toBe(true);
    now += 600_000;
    expect((await pass()).terminated).toEqual(['hermes-j-exit']);
    expect(await hand.hasSession('hermes-j-exit')).toBe(false);
  });

  it('keeps an error event it could not publish, and publishes it on a later pass', async () => {
    const log = captureLog('info');
    await startJob('j-1');
    await hand.killSession('hermes-j-1');

    const failing: PublishError = async () => {
      throw new Error('broker unreachable');
    };
    const r1 = await pass({ publishError: failing, log: log.log });
    expect(r1.owed).toEqual(['j-1']);
    expect(r1.failures).toEqual([
      { name: 'hermes-j-1', action: 'publish error event', error: 'broker unreachable' },
    ]);
    expect(log.text()).toContain('could not publish the error event; will retry');

    const r2 = await pass({ publishError: async () => 'deferred' });
    expect(r2).toMatchObject({ owed: ['j-1'], failures: [] });
    expect(store.owingErrorEvents().map((s) => s.jobId)).toEqual(['j-1']);

    const r3 = await pass();
    expect(r3.reported).toEqual(['j-1']);
    expect(published.map((p) => p.jobId)).toEqual(['j-1']);
    expect(store.owingErrorEvents()).toEqual([]);
  });

  it('kills a session whose job ended once the linger has passed, and the YAML says terminated', async () => {
    await startJob('j-done');
    store.recordEvent('j-done', 'completed', now);

    now += 599_000;
    expect((await pass()).terminated).toEqual([]);
    expect(await hand.hasSession('hermes-j-done')).toBe(true);

    now += 1000;
    const r = await pass();
    expect(r.terminated).toEqual(['hermes-j-done']);
    expect(tmux.calls('kill-session')).toBe(1);
    expect(await hand.hasSession('hermes-j-done')).toBe(false);
    expect(store.get('hermes-j-done')).toMatchObject({
      status: 'terminated',
      note: 'killed after the linger period',
    });
    expect(yamlStatus('hermes-j-done')).toBe('terminated');
    expect(cleaned).toEqual(['j-done']);
    expect(published).toEqual([]);
  });

  it('with linger 0 kills a finished job at the next pass', async () => {
    await startJob('j-now');
    store.recordEvent('j-now', 'error', now);
    const r = await pass({ lingerSeconds: 0 });
    expect(r.terminated).toEqual(['hermes-j-now']);
    expect(await hand.hasSession('hermes-j-now')).toBe(false);
    expect(yamlStatus('hermes-j-now')).toBe('terminated');
  });

  it('archives terminated sessions after the retention period', async () => {
    await startJob('j-old');
    store.recordEvent('j-old', 'completed', now);
    await pass({ lingerSeconds: 0 });
    now += 3_599_000;
    expect((await pass()).archived).toEqual([]);
    now += 1000;
    const r = await pass();
    expect(r.archived).toEqual(['hermes-j-old']);
    expect(store.get('hermes-j-old')?.archivedAt).toBe('2026-06-21T11:00:00.000Z');
    expect(yamlStatus('hermes-j-old')).toBe('archived');
    expect((await pass()).checked).toBe(0);
  });

  it('reports hermes- sessions the store does not know, and never kills them', async () => {
    const log = captureLog('info');
    await hand.newSession('hermes-stray', ['sleep', '600'], { cwd: home, env: {} });
    await hand.newSession('someone-else', ['sleep', '600'], { cwd: home, env: {} });
    const r = await pass({ log: log.log });
    expect(r.unknown).toEqual(['hermes-stray']);
    expect(await hand.hasSession('hermes-stray')).toBe(true);
    expect(await hand.hasSession('someone-else')).toBe(true);
    expect(log.text()).toContain('tmux session unknown to the session store; leaving it alone');
  });

  it('skips a pass while another holder (another process) is in one, and says so', async () => {
    await startJob('j-1');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inPass = new Promise<void>((r) => {
      entered = r;
    });
    const slowTmux = {
      listSessions: async () => {
        entered();
        await gate;
        return tmux.listSessions();
      },
      killSession: (name: string) => tmux.killSession(name),
    };
    const other = openSessionStore({ home, log: silentLogger, clock });
    const log = captureLog('info');
    try {
      const first = reconcilePass(deps({ tmux: slowTmux }));
      await inPass;
      tmux.resetCalls();
      const second = await reconcilePass(deps({ store: other, holderId: 'holder-b', log: log.log }));
      expect(second.skipped).toMatch(/another reconcile pass is running \(holder holder-a, lease until /);
      expect(tmux.calls()).toBe(0);
      expect(log.text()).toContain('reconcile pass skipped');
      release();
      expect((await first).skipped).toBeUndefined();
      // The lease is released: the other process's next pass runs.
      expect((await reconcilePass(deps({ store: other, holderId: 'holder-b' }))).skipped).toBeUndefined();
    } finally {
      release();
      other.close();
    }
  });
});
