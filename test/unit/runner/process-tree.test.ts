import { describe, expect, it } from 'vitest';
import { killProcessTree, type ProcEntry, type ProcessSource } from '../../../runner/process-tree.js';

/** A process table that obeys signals: SIGTERM ends all but `stubborn`, SIGKILL ends everything. */
function fakeSource(procs: ProcEntry[], marked: number[], stubborn: number[]) {
  const live = new Map(procs.map((p) => [p.pid, p]));
  const sent: Array<[number, string]> = [];
  const end = (pid: number, sig: string) => {
    if (sig === 'SIGKILL' || !stubborn.includes(pid)) live.delete(pid);
  };
  const source: ProcessSource = {
    table: () => [...live.values()],
    withEnv: () => marked.filter((pid) => live.has(pid)),
    signal: (target, sig) => {
      sent.push([target, sig]);
      if (target < 0) {
        for (const p of [...live.values()]) if (p.pgid === -target) end(p.pid, sig);
      } else end(target, sig);
    },
  };
  return { source, sent, live };
}

describe('killProcessTree', () => {
  const me = process.pid;
  const table: ProcEntry[] = [
    { pid: me, ppid: 1, pgid: me, zombie: false },
    { pid: 100, ppid: 1, pgid: 100, zombie: false }, // tmux server
    { pid: 200, ppid: 100, pgid: 200, zombie: false }, // the pane (hermes run)
    { pid: 201, ppid: 200, pgid: 200, zombie: false }, // the agent
    { pid: 300, ppid: 1, pgid: 300, zombie: false }, // a setsid child left to init, marked by its env
    { pid: 301, ppid: 300, pgid: 300, zombie: false }, // its child
    { pid: 400, ppid: 1, pgid: 400, zombie: false }, // someone else's
  ];

  it('ends the pane tree and marked processes by group, SIGKILL after the grace; spares the rest', async () => {
    const { source, sent, live } = fakeSource(table, [300], [300]);
    let t = 0;
    const r = await killProcessTree({
      rootPid: 200,
      env: { HERMES_JOB_ID: 'j' },
      source,
      graceMs: 100,
      pollMs: 10,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    expect(r.signalled.sort()).toEqual([200, 201, 300, 301]);
    expect(r.groups.sort()).toEqual([200, 300]);
    expect(r.forced).toEqual([300]);
    expect([...live.keys()].sort()).toEqual([100, 400, me].sort());
    const targets = new Set(sent.map(([p]) => p));
    for (const spared of [me, -me, 100, -100, 400, -400, 1, -1]) expect(targets.has(spared)).toBe(false);
    expect(sent.filter(([, s]) => s === 'SIGKILL').map(([p]) => p)).toContain(-300);
  });

  it('does nothing when there is nothing of the job', async () => {
    const { source, sent } = fakeSource(table, [], []);
    const r = await killProcessTree({ rootPid: 999, env: { HERMES_JOB_ID: 'j' }, source });
    expect(r).toEqual({ signalled: [], groups: [], forced: [] });
    expect(sent).toEqual([]);
  });

  it('never signals a job process that shares the runner group', async () => {
    const shared: ProcEntry[] = [...table, { pid: 500, ppid: me, pgid: me, zombie: false }];
    const { source, sent } = fakeSource(shared, [500], []);
    await killProcessTree({ env: { HERMES_JOB_ID: 'j' }, source, graceMs: 0 });
    expect(sent).toEqual([[500, 'SIGTERM']]);
  });
});
