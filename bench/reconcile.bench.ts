/**
 * Reconcile pass time with 10, 100 and 1000 sessions in the store, and the
 * tmux calls each pass makes (the promise: one `list-sessions`, whatever the
 * count). Each size runs twice: against a fake exec answering with a list of
 * the same size (the runner's own cost), and against a real tmux server on a
 * private socket with that many live sessions (what users get).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ReconcileDeps, reconcilePass } from '../runner/reconcile.js';
import { openSessionStore, type SessionStore } from '../runner/session-store.js';
import { sessionNameFor, Tmux } from '../runner/tmux.js';
import { type Exec, nodeExec, tmuxClientEnv } from '../runner/tmux-exec.js';
import { mirrorPath, YamlMirror } from '../runner/yaml-mirror.js';
import { silentLogger } from '../src/log.js';
import { findExecutable } from '../test/helpers/system.js';
import { median } from './support.js';
import type { BenchResult } from './types.js';

const RUNS = Number(process.env.HERMES_BENCH_RUNS ?? 21);
const SIZES = [10, 100, 1000];
/** Real tmux runs up to this many live sessions (creating 1000 takes a few seconds). */
const REAL_TMUX_MAX = Number(process.env.HERMES_BENCH_REAL_TMUX_MAX ?? 1000);

/** A tmux that knows `names` as live sessions (the output format Tmux.listSessions reads). */
function fakeTmuxExec(names: () => readonly string[]): Exec {
  return async (_file, args) => {
    if (!args.includes('list-sessions')) return { stdout: '', stderr: '', code: 0 };
    const created = Math.floor(Date.now() / 1000);
    const stdout = names()
      .map((n, i) => `${created} ${10_000 + i} 0   ${n}\n`)
      .join('');
    return { stdout, stderr: '', code: 0 };
  };
}

function fillStore(store: SessionStore, n: number): string[] {
  const names: string[] = [];
  store.db.transaction(() => {
    for (let i = 0; i < n; i++)
      names.push(store.create({ jobId: `j-bench-${i}`, profile: 'bench', cwd: '/w' }).name);
  })();
  return names;
}

interface Measured {
  ms: number;
  callsPerPass: number;
  listCallsPerPass: number;
}

async function measurePasses(deps: ReconcileDeps, tmux: Tmux, runs: number): Promise<Measured> {
  for (let i = 0; i < 3; i++) await reconcilePass(deps); // warm-up: statement cache, JIT
  tmux.resetCalls();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const report = await reconcilePass(deps);
    times.push(performance.now() - t0);
    if (report.skipped || report.failures.length)
      throw new Error(`bench pass did not run cleanly: ${JSON.stringify(report)}`);
  }
  return {
    ms: median(times),
    callsPerPass: tmux.calls() / runs,
    listCallsPerPass: tmux.calls('list-sessions') / runs,
  };
}

function depsFor(home: string, store: SessionStore, tmux: Tmux): ReconcileDeps {
  return {
    tmux,
    store,
    mirror: new YamlMirror(mirrorPath(home)),
    clock: { now: () => Date.now() },
    log: silentLogger,
    publishError: async () => undefined,
    lingerSeconds: 600,
    retentionSeconds: 7 * 24 * 3600,
    holderId: 'bench',
  };
}

async function fakeRun(n: number): Promise<{ steady: Measured; churnMs: number; churnStopped: number }> {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-reconcile-'));
  const store = openSessionStore({ home, log: silentLogger });
  try {
    let live = fillStore(store, n);
    const tmux = new Tmux({ socket: 'bench', exec: fakeTmuxExec(() => live) });
    const deps = depsFor(home, store, tmux);
    const steady = await measurePasses(deps, tmux, RUNS);
    // One pass with a tenth of the sessions gone: stops, owed error events, one YAML rewrite.
    live = live.filter((_, i) => i % 10 !== 0);
    const t0 = performance.now();
    const report = await reconcilePass(deps);
    return { steady, churnMs: performance.now() - t0, churnStopped: report.stopped.length };
  } finally {
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function realRun(n: number): Promise<Measured> {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-reconcile-'));
  const store = openSessionStore({ home, log: silentLogger });
  const tmux = new Tmux({
    socket: `hermes-bench-${randomBytes(4).toString('hex')}`,
    exec: nodeExec({ env: tmuxClientEnv(process.env) }),
  });
  try {
    for (let i = 0; i < n; i++) {
      const jobId = `j-real-${i}`;
      await tmux.newSession(sessionNameFor(jobId), ['sleep', '3600'], { cwd: home, env: {} });
      store.create({ jobId, profile: 'bench', cwd: home });
    }
    return await measurePasses(depsFor(home, store, tmux), tmux, RUNS);
  } finally {
    await tmux.killServer();
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const fakeMs = new Map<number, number>();
  for (const n of SIZES) {
    const { steady, churnMs, churnStopped } = await fakeRun(n);
    fakeMs.set(n, steady.ms);
    results.push(
      {
        name: `pass, ${n} sessions (fake tmux), median`,
        value: Number(steady.ms.toFixed(3)),
        unit: 'ms',
        note: `${RUNS} passes, nothing to change`,
      },
      {
        name: `tmux list-sessions calls per pass, ${n} sessions`,
        value: steady.listCallsPerPass,
        unit: 'calls',
        goal: { text: 'exactly 1 per pass', met: steady.listCallsPerPass === 1 && steady.callsPerPass === 1 },
        note: `all tmux calls per pass: ${steady.callsPerPass}`,
      },
      {
        name: `pass, ${n} sessions, ${churnStopped} vanished (fake tmux)`,
        value: Number(churnMs.toFixed(3)),
        unit: 'ms',
        note: 'one pass: stops, error events (no-op publisher), one YAML rewrite with fsync',
      },
    );
  }
  if (findExecutable('tmux')) {
    for (const n of SIZES.filter((size) => size <= REAL_TMUX_MAX)) {
      const real = await realRun(n);
      results.push(
        {
          name: `pass, ${n} sessions (real tmux), median`,
          value: Number(real.ms.toFixed(3)),
          unit: 'ms',
          anchor: { name: 'same with fake tmux', value: Number((fakeMs.get(n) ?? 0).toFixed(3)) },
          note: `${RUNS} passes over ${n} live tmux sessions; includes spawning tmux (run-shell true ; list-sessions)`,
        },
        {
          name: `tmux calls per pass, ${n} sessions (real tmux)`,
          value: real.callsPerPass,
          unit: 'calls',
          goal: { text: 'exactly 1 per pass', met: real.callsPerPass === 1 },
        },
      );
    }
  } else {
    results.push({
      name: 'pass (real tmux)',
      value: Number.NaN,
      unit: 'ms',
      note: 'SKIPPED: tmux not installed',
    });
  }
  return results;
}
