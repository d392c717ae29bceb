/**
 * Whether the installed Codex CLI can continue a non-interactive session: `codex exec resume
 * <SESSION_ID> <PROMPT>` (Codex's docs/exec.md: it keeps the conversation context; the session id
 * is the `thread_id` of the `thread.started` line that `codex exec --json` prints). Not every
 * Codex version has it, so the runner asks the program itself when it builds its profiles: the
 * `resume` subcommand listed in `codex exec --help`. Anything else (not installed, help that fails
 * or lists no resume) leaves the built-in codex profile without follow-ups, with the reason.
 * Decided once per runner start: a Codex upgraded later is seen at the next start.
 */
import { spawnSync } from 'node:child_process';

export type CodexResume =
  | { supported: true; version: string | undefined }
  | { supported: false; reason: string };

/** Runs a program (argv, no shell) and returns what it printed; injected by tests. */
export type RunProgram = (argv: readonly string[]) => {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
};

export function spawnProgram(env: NodeJS.ProcessEnv | Record<string, string | undefined>): RunProgram {
  return (argv) => {
    const r = spawnSync(argv[0]!, argv.slice(1), {
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return {
      status: r.status,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
      ...(r.error ? { error: r.error as NodeJS.ErrnoException } : {}),
    };
  };
}

/** The subcommand list of clap's help (`Commands:` up to the next blank-line section). */
function listsResume(help: string): boolean {
  const at = help.search(/^Commands:\s*$/m);
  if (at === -1) return false;
  const section = help.slice(at).split(/\n\s*\n/)[0]!;
  return /^\s+resume\b/m.test(section);
}

export function detectCodexResume(run: RunProgram, program = 'codex'): CodexResume {
  const help = run([program, 'exec', '--help']);
  if (help.error?.code === 'ENOENT') {
    return { supported: false, reason: `${program} is not installed on this runner (not on its PATH)` };
  }
  if (help.error || help.status !== 0) {
    const why = help.error?.message ?? `exit status ${help.status ?? 'unknown'}`;
    return {
      supported: false,
      reason: `\`${program} exec --help\` failed (${why}), so resume support is unknown`,
    };
  }
  const v = run([program, '--version']);
  const version = v.status === 0 ? v.stdout.trim().split('\n')[0]!.slice(0, 80) || undefined : undefined;
  if (!listsResume(`${help.stdout}\n${help.stderr}`)) {
    return {
      supported: false,
      reason: `this Codex${version ? ` (${version})` : ''} has no \`codex exec resume\``,
    };
  }
  return { supported: true, version };
}
