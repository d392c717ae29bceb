/**
 * Ending every process of a job, not only the pane's program.
 *
 * `tmux kill-session` only hangs up the pane's terminal: a child the agent
 * started in its own session or process group (`setsid`, `nohup … &`, a
 * daemonising tool) does not get the hangup and keeps running after a cancel.
 * killProcessTree finds the job's processes two ways:
 *
 * - the pane's process and its descendants (parent links, read once per round);
 * - on Linux, every process whose environment holds the job's markers
 *   (`HERMES_JOB_ID` and `HERMES_HOME`, which every agent process inherits),
 *   so a child that was re-parented to init when its parent exited is found too;
 *
 * then signals their process groups (a `setsid` child is the leader of its own
 * group, and its children are in it) and the processes themselves: SIGTERM,
 * then SIGKILL for whatever is still there after a short grace. The runner's
 * own group, pid 1 and the pane's parent (the tmux server) are never signalled.
 *
 * Bounded: one environment scan before each signal, and only the process table
 * (parents and groups) while waiting.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Exited, waiting for its parent to reap it: nothing left to signal. */
  zombie: boolean;
}

export interface ProcessSource {
  /** Every process this user can see. */
  table(): ProcEntry[];
  /** Pids whose (start-up) environment holds every one of these entries; [] where unknown. */
  withEnv(entries: Readonly<Record<string, string>>): number[];
  /** process.kill: a negative pid signals that process group. Throws like process.kill. */
  signal(pid: number, signal: NodeJS.Signals): void;
}

function procTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const rest = stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
    const ppid = Number(rest[1]);
    const pgid = Number(rest[2]);
    if (!Number.isInteger(ppid) || !Number.isInteger(pgid)) continue;
    out.push({ pid: Number(name), ppid, pgid, zombie: rest[0] === 'Z' || rest[0] === 'X' });
  }
  return out;
}

function psTable(): ProcEntry[] {
  const text = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'stat='], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  const out: ProcEntry[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
    if (!pid || !ppid || !pgid) continue;
    out.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), zombie: /^Z/.test(stat ?? '') });
  }
  return out;
}

function procWithEnv(entries: Readonly<Record<string, string>>): number[] {
  const wanted = Object.entries(entries).map(([k, v]) => `${k}=${v}`);
  if (wanted.length === 0) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let env: string[];
    try {
      env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
    } catch {
      continue; // another user's process, or gone
    }
    if (wanted.every((w) => env.includes(w))) out.push(Number(name));
  }
  return out;
}

/** /proc where there is one (Linux), else `ps` (parents and groups only). */
export function systemProcessSource(): ProcessSource {
  const hasProc = existsSync('/proc/self/stat');
  return {
    table: hasProc ? procTable : psTable,
    withEnv: hasProc ? procWithEnv : () => [],
    signal: (pid, signal) => process.kill(pid, signal),
  };
}

export interface KillTreeOptions {
  /** The pane's process: it and all its descendants. */
  rootPid?: number | undefined;
  /** Environment entries that mark the job's processes (Linux only). */
  env?: Readonly<Record<string, string>>;
  /** Never signalled, nor their groups (the runner and the pane's parent are added). */
  sparePids?: readonly number[];
  /** How long processes get after SIGTERM before SIGKILL (default 2 s). */
  graceMs?: number;
  pollMs?: number;
  source?: ProcessSource;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface KillTreeResult {
  /** Processes found and sent SIGTERM. */
  signalled: number[];
  /** Process groups signalled. */
  groups: number[];
  /** Processes still there after the grace, sent SIGKILL. */
  forced: number[];
}

export async function killProcessTree(o: KillTreeOptions): Promise<KillTreeResult> {
  const src = o.source ?? systemProcessSource();
  const sleep = o.sleep ?? ((ms: number) => delay(ms));
  const now = o.now ?? (() => performance.now());
  const graceMs = o.graceMs ?? 2_000;
  const pollMs = o.pollMs ?? 50;

  const first = src.table();
  const byPid = new Map(first.map((p) => [p.pid, p]));
  const spare = new Set<number>([1, process.pid, ...(o.sparePids ?? [])]);
  if (o.rootPid !== undefined) {
    const parent = byPid.get(o.rootPid)?.ppid;
    if (parent !== undefined && parent !== o.rootPid) spare.add(parent);
  }
  const spareGroups = new Set<number>([0, 1]);
  for (const pid of spare) {
    const g = byPid.get(pid)?.pgid;
    if (g !== undefined) spareGroups.add(g);
  }
  // The runner's own group, even when /proc or ps could not show it.
  spareGroups.add(process.pid);

  const known = new Set<number>();
  const groups = new Set<number>();
  /** The job's live processes now: descendants of the root, marked ones, members of its groups, earlier finds. */
  const collect = (table: ProcEntry[], scanEnv: boolean): ProcEntry[] => {
    const children = new Map<number, number[]>();
    for (const p of table) {
      const list = children.get(p.ppid);
      if (list) list.push(p.pid);
      else children.set(p.ppid, [p.pid]);
    }
    const found = new Set<number>();
    const live = new Set(table.map((p) => p.pid));
    if (o.rootPid !== undefined && live.has(o.rootPid)) {
      const queue = [o.rootPid];
      while (queue.length > 0) {
        const pid = queue.pop()!;
        if (found.has(pid)) continue;
        found.add(pid);
        queue.push(...(children.get(pid) ?? []));
      }
    }
    if (scanEnv && o.env) for (const pid of src.withEnv(o.env)) found.add(pid);
    for (const pid of known) if (live.has(pid)) found.add(pid);
    for (const p of table) if (groups.has(p.pgid)) found.add(p.pid);
    // A marked process's descendants belong to the job too.
    const queue = [...found];
    while (queue.length > 0) {
      for (const c of children.get(queue.pop()!) ?? []) {
        if (!found.has(c)) {
          found.add(c);
          queue.push(c);
        }
      }
    }
    const index = new Map(table.map((p) => [p.pid, p]));
    return [...found]
      .filter((pid) => !spare.has(pid))
      .map((pid) => index.get(pid))
      .filter((p): p is ProcEntry => p !== undefined && !p.zombie);
  };
  const send = (procs: ProcEntry[], signal: NodeJS.Signals) => {
    for (const p of procs) {
      known.add(p.pid);
      if (!spareGroups.has(p.pgid)) groups.add(p.pgid);
    }
    const targets = [...[...groups].map((g) => -g), ...procs.map((p) => p.pid)];
    for (const t of targets) {
      try {
        src.signal(t, signal);
      } catch {
        // ESRCH: gone already; EPERM: not ours to end.
      }
    }
  };

  const targets = collect(first, true);
  const result: KillTreeResult = { signalled: targets.map((p) => p.pid), groups: [], forced: [] };
  if (targets.length === 0) return result;
  send(targets, 'SIGTERM');
  result.groups = [...groups];

  const deadline = now() + graceMs;
  while (now() < deadline) {
    await sleep(pollMs);
    if (collect(src.table(), false).length === 0) break;
  }
  const left = collect(src.table(), true);
  if (left.length > 0) {
    send(left, 'SIGKILL');
    result.forced = left.map((p) => p.pid);
    result.groups = [...groups];
  }
  return result;
}
