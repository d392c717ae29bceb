/**
 * A stand-in for what Claude Code does with PreToolUse command hooks (contract:
 * shared/fixtures/claude-hooks/README.md): reads the project's `.claude/settings.json` and
 * `.claude/settings.local.json`, and for each tool call runs every matching command hook through
 * `sh -c` with the input JSON on stdin, killed at its `timeout` (seconds).
 *
 * - exit 0 with JSON: `hookSpecificOutput.permissionDecision` allow / deny / ask;
 * - exit 2: the call is blocked (stderr is the reason);
 * - any other exit, a crash, a timeout, exit 0 without a decision: a non-blocking error, the call
 *   goes on (`proceed`: Claude Code's own permission flow would decide; nothing blocked it).
 *
 * Several hooks: a deny or block wins, then ask, then allow. Settings are read once, at start.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type HookOutcome =
  | { kind: 'allow' | 'deny' | 'ask'; reason: string }
  | { kind: 'block'; reason: string }
  | { kind: 'error'; reason: string };

export interface CallResult {
  /** What Claude Code does with the call: blocked, asked, allowed, or goes on (no hook decided). */
  verdict: 'allow' | 'deny' | 'ask' | 'proceed';
  outcomes: HookOutcome[];
}

interface CommandHook {
  command: string;
  timeoutS: number;
}
interface Group {
  matcher?: string;
  hooks: CommandHook[];
}

const DEFAULT_TIMEOUT_S = 60;

function readGroups(file: string): Group[] {
  if (!existsSync(file)) return [];
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    hooks?: {
      PreToolUse?: { matcher?: string; hooks?: { type: string; command?: string; timeout?: number }[] }[];
    };
  };
  return (s.hooks?.PreToolUse ?? []).map((g) => ({
    ...(g.matcher !== undefined ? { matcher: g.matcher } : {}),
    hooks: (g.hooks ?? [])
      .filter((h) => h.type === 'command' && typeof h.command === 'string')
      .map((h) => ({ command: h.command as string, timeoutS: h.timeout ?? DEFAULT_TIMEOUT_S })),
  }));
}

/** `"*"`, `""` or no matcher: every tool; otherwise a regular expression on the tool name. */
export function matcherMatches(matcher: string | undefined, tool: string): boolean {
  if (matcher === undefined || matcher === '' || matcher === '*') return true;
  return new RegExp(`^(?:${matcher})$`).test(tool);
}

function runOne(h: CommandHook, input: string, cwd: string, env: NodeJS.ProcessEnv): Promise<HookOutcome> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', h.command], {
      cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, h.timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ kind: 'error', reason: `could not run: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ kind: 'error', reason: `timed out after ${h.timeoutS} s` });
      if (code === 2) return resolve({ kind: 'block', reason: err.trim() });
      if (code !== 0) return resolve({ kind: 'error', reason: `exit ${code ?? signal}: ${err.trim()}` });
      try {
        const o = JSON.parse(out) as {
          hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string };
        };
        const d = o.hookSpecificOutput?.permissionDecision;
        const reason = o.hookSpecificOutput?.permissionDecisionReason ?? '';
        if (d === 'allow' || d === 'deny' || d === 'ask') return resolve({ kind: d, reason });
        resolve({ kind: 'error', reason: 'exit 0 without a permission decision' });
      } catch {
        resolve({ kind: 'error', reason: out.trim() === '' ? 'no output' : 'output is not JSON' });
      }
    });
    child.stdin.end(input);
  });
}

export class ClaudeCodeStandIn {
  private readonly groups: Group[];

  /** Reads the hook settings of the project at `cwd`, as Claude Code does at start. */
  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const dir = join(cwd, '.claude');
    this.groups = [
      ...readGroups(join(dir, 'settings.json')),
      ...readGroups(join(dir, 'settings.local.json')),
    ];
  }

  /** The PreToolUse command hooks that run for `tool`. */
  hooksFor(tool: string): string[] {
    return this.groups
      .filter((g) => matcherMatches(g.matcher, tool))
      .flatMap((g) => g.hooks.map((h) => h.command));
  }

  /** One tool call: every matching hook, concurrently, as Claude Code runs them. */
  async preToolUse(input: { tool_name: string } & Record<string, unknown>): Promise<CallResult> {
    const hooks = this.groups
      .filter((g) => matcherMatches(g.matcher, input.tool_name))
      .flatMap((g) => g.hooks);
    const text = JSON.stringify(input);
    const outcomes = await Promise.all(hooks.map((h) => runOne(h, text, this.cwd, this.env)));
    const has = (k: HookOutcome['kind']) => outcomes.some((o) => o.kind === k);
    const verdict =
      has('deny') || has('block') ? 'deny' : has('ask') ? 'ask' : has('allow') ? 'allow' : 'proceed';
    return { verdict, outcomes };
  }
}
