/**
 * Running git for the runner: argv through an injected Exec (never a shell),
 * no prompts (a push that wants a password fails instead of hanging), and a
 * failure becomes one HermesError carrying git's own message, ready to be a
 * job's `error` event.
 */
import { HermesError } from '../../src/errors.js';
import type { Exec } from '../tmux-exec.js';

export interface GitRun {
  /** Repository or worktree folder (`git -C DIR`). */
  cwd: string;
  args: readonly string[];
  /** Extra environment for this call (GIT_INDEX_FILE for a scratch index). */
  env?: Readonly<Record<string, string>>;
}

/** Runs one git command; resolves with stdout, rejects with git's message on a non-zero exit. */
export type Git = (run: GitRun) => Promise<string>;

/** What git prints on failure, without its "fatal: " / "error: " prefixes, on one line. */
export function gitMessage(stderr: string, stdout = ''): string {
  const text = (stderr.trim() || stdout.trim()).replace(/^(fatal|error): /gm, '');
  return text.split('\n').filter(Boolean).join('; ').slice(0, 1500) || 'no message';
}

/**
 * A Git over `exec` (runner/tmux-exec.ts nodeExec, which passes argv as is). `baseEnv` is the
 * runner's environment for git (PATH, HOME for the user's git config); the agent's never reaches it.
 */
export function makeGit(exec: (env: Record<string, string>) => Exec, baseEnv: Record<string, string>): Git {
  return async ({ cwd, args, env }) => {
    const run = exec({ ...baseEnv, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env });
    let r: Awaited<ReturnType<Exec>>;
    try {
      r = await run('git', ['-C', cwd, ...args]);
    } catch (e) {
      throw new HermesError('env', `git could not be run: ${(e as Error).message}`, {
        hint: 'install git on the runner host',
      });
    }
    if (r.code !== 0) {
      throw new HermesError('git', `git ${args[0]} failed: ${gitMessage(r.stderr, r.stdout)}`);
    }
    return r.stdout;
  };
}
