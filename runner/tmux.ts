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
import {
  isNoServer,
  isNotFound,
  LIST_FORMAT,
  lastLines,
  PANE_FORMAT,
  type PaneState,
  parsePaneState,
  parseSessionList,
  type TmuxSession,
} from './tmux-output.js';

export { isHermesSessionName, sessionNameFor } from './session-names.js';
export type { Exec, ExecResult } from './tmux-exec.js';
export { type PaneState, paneExited, processExists, type TmuxSession } from './tmux-output.js';

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
/** See the header: makes the server reap exited panes before a read. */
const REAP: string[] = ['run-shell', 'true'];

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
    return parseSessionList(r.stdout);
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
    // A dead pane's screen is pushed into history (see lastLines): read a screen more than asked.
    const start = `-${lines + this.height}`;
    const r = await this.run([
      ['capture-pane', '-p', '-J', '-t', `=${assertSessionName(name)}:`, '-S', start],
    ]);
    if (r.code !== 0) throw this.failure('capture-pane', r);
    return lastLines(r.stdout, lines);
  }

  /** State of the session's active pane, or undefined if there is no such session. */
  async paneState(name: string): Promise<PaneState | undefined> {
    const target = `=${assertSessionName(name)}:`;
    const r = await this.run([REAP, ['display-message', '-p', '-t', target, PANE_FORMAT]], 'display-message');
    if (r.code !== 0) {
      if (isNoServer(r.stderr) || isNotFound(r.stderr)) return undefined;
      throw this.failure('display-message', r);
    }
    return parsePaneState(r.stdout);
  }

  async panePid(name: string): Promise<number | undefined> {
    return (await this.paneState(name))?.pid;
  }

  /**
   * Types `text` into the session's active pane literally (`send-keys -l`: no key names, no
   * shell), then presses Enter: a follow-up for an interactive agent (`followup: keys`).
   */
  async sendText(name: string, text: string): Promise<void> {
    const target = `=${assertSessionName(name)}:`;
    const r = await this.run([
      ['send-keys', '-t', target, '-l', '--', text],
      ['send-keys', '-t', target, 'Enter'],
    ]);
    if (r.code !== 0) throw this.failure('send-keys', r);
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
