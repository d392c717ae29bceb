/** Long-running hermes child processes (bot, runner, up) for end-to-end and reliability tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { HERMES_BIN } from './cli.js';

export interface HermesProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `text` (or a match) appears in stdout+stderr. */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function startHermes(
  args: string[],
  env: Record<string, string | undefined>,
  opts: { stdin?: 'pipe' | 'ignore' } = {},
): HermesProcess {
  const child = spawn(process.execPath, [HERMES_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    out += c.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitForOutput(pattern, timeoutMs = 15_000) {
      const matches = () => (typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out));
      return new Promise((resolve, reject) => {
        if (matches()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${String(pattern)} in output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const check = () => {
          if (matches()) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`process exited before ${String(pattern)}:\n${out.slice(-3000)}`));
          }
        };
        listeners.add(check);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
