/**
 * tmux control on the runner's own socket (`tmux -L <socket>`).
 *
 * Every call is one `exec('tmux', argv)` with no shell in between, and is
 * counted (reconcile promises one `list-sessions` per pass; the benchmark and
 * tests check it).
 *
 * Exit status: the runner sets `remain-on-exit on` (globally, on its private
 * server) in the same tmux invocation that creates a session, before the
 * program is spawned. A program that exits leaves a dead pane behind, so its
 * exit status stays readable (`pane_dead_status`) and its last output can be
 * captured, instead of the session disappearing with nothing to say why.
 * tmux 3.3a can miss a child's exit while it serves clients (seen here under
 * polling): the pane reads dead, its process stays a zombie and no status
 * appears until another child of the server exits. Reads that need the
 * status (list-sessions, display-message) therefore run a no-op job first in
 * the same invocation (`run-shell true ;`); the server reaps every exited
 * child when that job ends, before the read runs. Still one exec per read.
 *
 * Programs are launched through `env --`: tmux runs a single-word command
 * through `sh -c` and drops the reason when exec fails, while `env` execs
 * without a shell and prints the cause (exit 127 not found, 126 not
 * executable) into the pane.
 */
import { HermesError } from '../src/errors.js';
import { assertSessionName, escapeTmuxArg, escapeTmuxFormat } from './session-names.js';
import { type Exec, type ExecResult, nodeExec } from './tmux-exec.js';

export { isHermesSessionName, sessionNameFor } from './session-names.js';
export type { Exec, ExecResult } from './tmux-exec.js';

export interface TmuxSession {
  name: string;
  /** When tmux created the session (ms since the epoch, second precision). */
  createdAt: number;
  /** Pid of the active pane's program (the agent). */
  panePid: number | undefined;
  /** The program has exited and the pane is kept by remain-on-exit. */
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

export interface NewSessionOptions {
  cwd: string;
  env: Record<string, string>;
}

export interface TmuxOptions {
  /** Socket name for `-L` (config runner.tmux_socket, HERMES_TMUX_SOCKET). */
  socket: string;
  exec?: Exec;
  binary?: string;
  /** Config file read when this call starts the server: none by default, so a user's ~/.tmux.conf cannot change the runner's sessions. */
  configFile?: string;
  width?: number;
  height?: number;
}

const SOCKET_RE = /^[A-Za-z0-9_.-]{1,100}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A space, not a tab: tmux replaces control characters (tab included) in its
// output when the client's locale is not UTF-8. Every field is numeric except
// the last one, so the last field is "the rest of the line".
const SEP = ' ';
const LIST_FORMAT = [
  '#{session_created}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{session_name}',
].join(SEP);
const PANE_FORMAT = [
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

/** See the header: makes the server reap exited panes before a read. */
const REAP: string[] = ['run-shell', 'true'];

const int = (s: string | undefined): number | undefined => (s && /^\d+$/.test(s) ? Number(s) : undefined);

const isNoServer = (stderr: string): boolean =>
  /no server running/i.test(stderr) || (/error connecting to/i.test(stderr) && /no such file/i.test(stderr));
const isNotFound = (stderr: string): boolean =>
  /can't find (session|window|pane)|session not found/i.test(stderr);

export class Tmux {
  readonly socket: string;
  private readonly exec: Exec;
  private readonly binary: string;
  private readonly configFile: string;
  private readonly width: number;
  private readonly height: number;
  private readonly counts = new Map<string, number>();

  constructor(opts: TmuxOptions) {
    if (!SOCKET_RE.test(opts.socket)) {
      throw new HermesError(
        'config',
        `runner.tmux_socket: not a plain socket name: ${JSON.stringify(opts.socket)}`,
      );
    }
    this.socket = opts.socket;
    this.exec = opts.exec ?? nodeExec();
    this.binary = opts.binary ?? 'tmux';
    this.configFile = opts.configFile ?? '/dev/null';
    this.width = opts.width ?? 200;
    this.height = opts.height ?? 50;
  }

  /** Exec calls made so far, all commands or one tmux command (`list-sessions`...). */
  calls(command?: string): number {
    if (command !== undefined) return this.counts.get(command) ?? 0;
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  resetCalls(): void {
    this.counts.clear();
  }

  /** One `list-sessions` call. No server running means no sessions. */
  async listSessions(): Promise<TmuxSession[]> {
    const r = await this.run([REAP, ['list-sessions', '-F', LIST_FORMAT]], 'list-sessions');
    if (r.code !== 0) {
      if (isNoServer(r.stderr)) return [];
      throw this.failure('list-sessions', r);
    }
    const out: TmuxSession[] = [];
    for (const line of r.stdout.split('\n')) {
      if (line === '') continue;
      const f = line.split(SEP);
      if (f.length < 6)
        throw new HermesError('tmux', `unexpected tmux list-sessions line: ${JSON.stringify(line)}`);
      out.push({
        createdAt: (int(f[0]) ?? 0) * 1000,
        panePid: int(f[1]),
        paneDead: f[2] === '1',
        paneDeadStatus: f[2] === '1' ? int(f[3]) : undefined,
        paneDeadSignal: f[2] === '1' ? int(f[4]) : undefined,
        // Everything after the fifth separator is the name (names may hold spaces).
        name: f.slice(5).join(SEP),
      });
    }
    return out;
  }

  async hasSession(name: string): Promise<boolean> {
    const r = await this.run([['has-session', '-t', `=${assertSessionName(name)}`]]);
    if (r.code === 0) return true;
    if (isNoServer(r.stderr) || isNotFound(r.stderr)) return false;
    throw this.failure('has-session', r);
  }

  /**
   * Start `argv` detached in a new session. argv reaches the program element
   * by element (no shell parses it); see escapeTmuxArg for the one character
   * tmux itself would interpret.
   */
  async newSession(name: string, argv: readonly string[], opts: NewSessionOptions): Promise<void> {
    assertSessionName(name);
    if (argv.length === 0) throw new HermesError('usage', 'no program to run');
    if (argv[0]!.includes('=')) {
      throw new HermesError('usage', `program name must not contain "=": ${JSON.stringify(argv[0])}`);
    }
    for (const a of [...argv, opts.cwd, ...Object.entries(opts.env).flat()]) {
      if (a.includes('\0'))
        throw new HermesError('usage', 'arguments and environment must not contain NUL bytes');
    }
    const envFlags: string[] = [];
    for (const [k, v] of Object.entries(opts.env)) {
      if (!ENV_KEY_RE.test(k))
        throw new HermesError('usage', `not a valid environment variable name: ${JSON.stringify(k)}`);
      envFlags.push('-e', `${k}=${v}`);
    }
    const create = [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(this.width),
      '-y',
      String(this.height),
      '-c',
      escapeTmuxFormat(opts.cwd),
      ...envFlags,
      '--',
      'env',
      '--',
      ...argv,
    ];
    const r = await this.run([['set-option', '-g', 'remain-on-exit', 'on'], create], 'new-session');
    if (r.code !== 0) throw this.failure('new-session', r);
  }

  /** true if a session was killed, false if there was none. */
  async killSession(name: string): Promise<boolean> {
    const r = await this.run([['kill-session', '-t', `=${assertSessionName(name)}`]]);
    if (r.code === 0) return true;
    if (isNoServer(r.stderr) || isNotFound(r.stderr)) return false;
    throw this.failure('kill-session', r);
  }

  /** The last `lines` lines of the session's active pane (history included), trailing blank lines dropped. */
  async capturePane(name: string, lines: number): Promise<string> {
    if (!Number.isInteger(lines) || lines < 1 || lines > 100_000) {
      throw new HermesError('usage', 'capture lines must be an integer from 1 to 100000');
    }
    // When a pane dies, tmux pushes its whole screen into history and writes
    // "Pane is dead" on a fresh screen: read a screen more than asked, and
    // close the blank gap so the program's last lines stay in the answer.
    const start = `-${lines + this.height}`;
    const r = await this.run([
      ['capture-pane', '-p', '-J', '-t', `=${assertSessionName(name)}:`, '-S', start],
    ]);
    if (r.code !== 0) throw this.failure('capture-pane', r);
    const all = r.stdout.replace(/\s+$/, '').split('\n');
    const last = all.at(-1) ?? '';
    if (/^Pane is dead/.test(last)) {
      const before = all.slice(0, -1).join('\n').replace(/\s+$/, '');
      return [...(before ? before.split('\n') : []), last].slice(-lines).join('\n');
    }
    return all.slice(-lines).join('\n');
  }

  /** State of the session's active pane, or undefined if there is no such session. */
  async paneState(name: string): Promise<PaneState | undefined> {
    const target = `=${assertSessionName(name)}:`;
    const r = await this.run([REAP, ['display-message', '-p', '-t', target, PANE_FORMAT]], 'display-message');
    if (r.code !== 0) {
      if (isNoServer(r.stderr) || isNotFound(r.stderr)) return undefined;
      throw this.failure('display-message', r);
    }
    const f = r.stdout.replace(/\n$/, '').split(SEP);
    const dead = f[1] === '1';
    return {
      pid: int(f[0]),
      dead,
      deadStatus: dead ? int(f[2]) : undefined,
      deadSignal: dead ? int(f[3]) : undefined,
      currentCommand: f.slice(4).join(SEP),
    };
  }

  async panePid(name: string): Promise<number | undefined> {
    return (await this.paneState(name))?.pid;
  }

  /** Stop the whole server on this socket (tests, and `hermes` teardown). */
  async killServer(): Promise<void> {
    const r = await this.run([['kill-server']]);
    if (r.code !== 0 && !isNoServer(r.stderr)) throw this.failure('kill-server', r);
  }

  /** Run tmux commands (joined by `;`) in one invocation. */
  private async run(commands: string[][], countAs?: string): Promise<ExecResult> {
    const key = countAs ?? commands[0]![0]!;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const args = ['-f', this.configFile, '-L', this.socket];
    commands.forEach((c, i) => {
      if (i > 0) args.push(';');
      args.push(...c.map(escapeTmuxArg));
    });
    try {
      return await this.exec(this.binary, args);
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      throw new HermesError('tmux', `cannot run ${this.binary}: ${(cause as Error).message}`, {
        cause,
        hint: missing ? 'install tmux (3.2 or newer) or put it on PATH' : undefined,
      });
    }
  }

  private failure(command: string, r: ExecResult): HermesError {
    const stderr = r.stderr.trim() || `exit status ${r.code}`;
    return new HermesError('tmux', `tmux ${command} on socket ${this.socket} failed: ${stderr}`);
  }
}
