/**
 * What tmux prints, read: the formats the runner asks for, their parsers, the
 * error messages that mean "nothing there", and when a dead pane has really
 * exited.
 */
import { HermesError } from '../src/errors.js';

export interface TmuxSession {
  name: string;
  /** When tmux created the session (ms since the epoch, second precision). */
  createdAt: number;
  /** Pid of the active pane's program (the agent). */
  panePid: number | undefined;
  /** tmux has seen the pane's terminal close (remain-on-exit keeps the pane); see paneExited. */
  paneDead: boolean;
  /** Exit status of a dead pane (undefined while alive, or if killed by a signal). */
  paneDeadStatus: number | undefined;
  /** Signal number that killed the pane's program, when tmux reports it (3.3+). */
  paneDeadSignal: number | undefined;
}

export interface PaneState {
  pid: number | undefined;
  dead: boolean;
  deadStatus: number | undefined;
  deadSignal: number | undefined;
  /** Name of the pane's foreground process, as tmux reads it from the OS. */
  currentCommand: string;
}

// A space, not a tab: tmux replaces control characters (tab included) in its
// output when the client's locale is not UTF-8. Every field is numeric except
// the last one, so the last field is "the rest of the line".
export const SEP = ' ';
export const LIST_FORMAT = [
  '#{session_created}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{session_name}',
].join(SEP);
export const PANE_FORMAT = [
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{pane_current_command}',
].join(SEP);

/** Whether a pid exists on this host (signal 0; EPERM means it exists but is not ours). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a dead pane's program has really exited. tmux marks a pane dead at
 * end of file on its terminal, which comes a moment before it reaps the
 * process and knows the exit status (a program that closes its terminal but
 * keeps running reads as dead too). So: dead, and the status or signal is
 * known or the pid is gone (tmux before 3.3 reports no signal).
 */
export function paneExited(
  p: { dead: boolean; status: number | undefined; signal: number | undefined; pid: number | undefined },
  exists: (pid: number) => boolean = processExists,
): boolean {
  if (!p.dead) return false;
  if (p.status !== undefined || p.signal !== undefined) return true;
  return p.pid === undefined || !exists(p.pid);
}

const int = (s: string | undefined): number | undefined => (s && /^\d+$/.test(s) ? Number(s) : undefined);

export const isNoServer = (stderr: string): boolean =>
  /no server running/i.test(stderr) || (/error connecting to/i.test(stderr) && /no such file/i.test(stderr));
export const isNotFound = (stderr: string): boolean =>
  /can't find (session|window|pane)|session not found/i.test(stderr);

export function parseSessionList(stdout: string): TmuxSession[] {
  const out: TmuxSession[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const f = line.split(SEP);
    if (f.length < 6)
      throw new HermesError('tmux', `unexpected tmux list-sessions line: ${JSON.stringify(line)}`);
    const dead = f[2] === '1';
    out.push({
      createdAt: (int(f[0]) ?? 0) * 1000,
      panePid: int(f[1]),
      paneDead: dead,
      paneDeadStatus: dead ? int(f[3]) : undefined,
      paneDeadSignal: dead ? int(f[4]) : undefined,
      // Everything after the fifth separator is the name (names may hold spaces).
      name: f.slice(5).join(SEP),
    });
  }
  return out;
}

export function parsePaneState(stdout: string): PaneState {
  const f = stdout.replace(/\n$/, '').split(SEP);
  const dead = f[1] === '1';
  return {
    pid: int(f[0]),
    dead,
    deadStatus: dead ? int(f[2]) : undefined,
    deadSignal: dead ? int(f[3]) : undefined,
    currentCommand: f.slice(4).join(SEP),
  };
}

/**
 * The last `lines` lines of captured text, trailing blank lines dropped. When
 * a pane dies, tmux pushes its whole screen into history and writes "Pane is
 * dead" on a fresh screen; the blank gap between is closed so the program's
 * last lines stay in the answer.
 */
export function lastLines(captured: string, lines: number): string {
  const all = captured.replace(/\s+$/, '').split('\n');
  const last = all.at(-1) ?? '';
  if (/^Pane is dead/.test(last)) {
    const before = all.slice(0, -1).join('\n').replace(/\s+$/, '');
    return [...(before ? before.split('\n') : []), last].slice(-lines).join('\n');
  }
  return all.slice(-lines).join('\n');
}
