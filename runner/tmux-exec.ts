/**
 * How the runner spawns tmux: an injected `exec(file, args)` (argv, never a
 * shell), and the environment the tmux client runs with.
 */
import { execFile } from 'node:child_process';
import type { Env } from '../src/config/load.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; a process killed by a signal reports 128 + signal number. */
  code: number;
}

/**
 * Runs `file` with `args` and resolves with its output whatever its exit
 * status. Rejects only when the program could not be run at all (ENOENT...).
 */
export type Exec = (file: string, args: readonly string[]) => Promise<ExecResult>;

export interface NodeExecOptions {
  /** Environment of the spawned program. See `tmuxClientEnv`. */
  env?: Env;
  /** Kill a tmux call that hangs (a wedged server) after this long. */
  timeoutMs?: number;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** `exec` over node:child_process.execFile: no shell, bounded time and output. */
export function nodeExec(opts: NodeExecOptions = {}): Exec {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        {
          env: opts.env as NodeJS.ProcessEnv | undefined,
          timeout: opts.timeoutMs ?? 15_000,
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, code: 0 });
          const e = error as NodeJS.ErrnoException & {
            code?: unknown;
            signal?: string | null;
            killed?: boolean;
          };
          if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code });
          if (e.signal) {
            const reason = e.killed ? ` (killed after ${opts.timeoutMs ?? 15_000} ms)` : '';
            return resolve({
              stdout,
              stderr: `${stderr}${e.signal}${reason}`,
              code: 128 + (SIGNALS[e.signal] ?? 0),
            });
          }
          reject(error);
        },
      );
    });
}

/**
 * Variables the tmux client (and so a tmux server it starts, and every pane of
 * that server) may inherit from the runner. Everything else is dropped: a
 * runner started by `hermes up` holds chat and broker credentials in its
 * environment, and agents must not see them. `TMUX` is dropped too, so a
 * runner started inside someone's tmux does not talk to their server.
 */
const CLIENT_ENV_KEYS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'TERM',
  'TMPDIR',
  'TZ',
  'TMUX_TMPDIR',
];

export function tmuxClientEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (CLIENT_ENV_KEYS.includes(k) || k.startsWith('LC_'))) out[k] = v;
  }
  return out;
}
