/**
 * One run of the agent program: spawn (argv, no shell), wait for its exit,
 * and, for agents whose output Hermes reads (`output: claude` or `codex`), pipe stdout
 * through the reader and show its rendition on this process's stdout. The
 * agent's stderr is passed through as it comes and its last line kept
 * (stderr-tail.ts), so an error exit can say why, not only its status.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Tokens } from '../../src/jobs/usage.js';
import type { Env } from './agent-env.js';
import { ClaudeOutput, type OutputReader, type TurnReport } from './claude-output.js';
import { CodexOutput } from './codex-output.js';
import { StderrTail } from './stderr-tail.js';

/** Starts the agent process; injected by tests. `readOutput`: stdout must be a pipe. */
export type SpawnAgent = (argv: readonly string[], env: Env, readOutput: boolean) => ChildProcess;

export const defaultSpawn: SpawnAgent = (argv, env, readOutput) =>
  spawn(argv[0]!, argv.slice(1), {
    // stderr through a pipe: its last line explains an error exit (the pane still shows it all).
    stdio: ['inherit', readOutput ? 'pipe' : 'inherit', 'pipe'],
    env: env as NodeJS.ProcessEnv,
  });

export type AgentOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'spawn_failed'; error: NodeJS.ErrnoException };

export interface TurnResult {
  outcome: AgentOutcome;
  /** Only for agents whose output is read. */
  report: TurnReport | undefined;
  /** The agent's last non-blank stderr line (plain text, cut), when its stderr was piped. */
  lastErrorLine?: string | undefined;
}

function waitForAgent(child: ChildProcess): Promise<AgentOutcome> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a pid: spawn failed. With a pid it is a kill() failure; 'exit' still follows.
      if (child.pid === undefined) resolve({ kind: 'spawn_failed', error });
    });
    // 'close', not 'exit': with a piped stdout the last lines may still be on their way at 'exit'.
    child.once('close', (code, signal) =>
      resolve(signal ? { kind: 'signal', signal } : { kind: 'exit', code: code ?? 1 }),
    );
  });
}

export async function runTurn(
  argv: readonly string[],
  env: Env,
  o: {
    spawnAgent: SpawnAgent;
    /** Whose output format stdout is in; undefined: not read (the agent writes to the pane). */
    output: 'claude' | 'codex' | undefined;
    stdout: Writable;
    stderr: Writable;
    signal: AbortSignal;
    /** The turn's running token counts changed (stream-json assistant messages). */
    onTokens?: (running: Tokens) => void;
  },
): Promise<TurnResult> {
  const child = o.spawnAgent(argv, env, o.output !== undefined);
  const reader: OutputReader | undefined =
    o.output === 'claude' ? new ClaudeOutput() : o.output === 'codex' ? new CodexOutput() : undefined;
  if (reader && child.stdout) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const seen = reader.tokenUpdates;
      const shown = reader.push(chunk);
      if (shown) o.stdout.write(shown);
      if (o.onTokens && reader.tokenUpdates !== seen) o.onTokens(reader.turn().running);
    });
  }
  const tail = child.stderr ? new StderrTail() : undefined;
  if (tail && child.stderr) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      o.stderr.write(chunk);
      tail.push(chunk);
    });
  }
  const forward = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  o.signal.addEventListener('abort', forward, { once: true });
  if (o.signal.aborted) forward();
  const outcome = await waitForAgent(child);
  o.signal.removeEventListener('abort', forward);
  if (reader) {
    const rest = reader.end();
    if (rest) o.stdout.write(rest);
  }
  return { outcome, report: reader?.turn(), lastErrorLine: tail?.lastLine() };
}
