/**
 * `hermes run [--mqtt URL] -- CMD [ARGS...]`: wraps any agent so every job ends with a
 * terminal event, even if the agent never calls Hermes itself.
 *
 * Publishes `started`, runs CMD (argv, no shell) with this process's stdio,
 * then publishes `completed` for exit 0 or `error` otherwise (the status in
 * `detail`, `data.exit_code` and, for a signal, `data.signal`) and exits with
 * CMD's status (128 + n for signal n). A CMD that cannot be spawned becomes an
 * `error` event with the cause, exit 127 (126 when it is not executable).
 * Events go the way `hermes publish` sends them (runner socket, else broker).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { isoTime } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import { type AgentEnv, readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { type AgentEvent, buildEvent } from './build-event.js';
import { deliverEvent } from './deliver-event.js';
import { allocateSeq, seqDir } from './seq-allocator.js';

export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/** Starts the agent process; injected by tests. The default inherits this process's stdio. */
export type SpawnAgent = (argv: readonly string[], env: AgentIo['env']) => ChildProcess;

const defaultSpawn: SpawnAgent = (argv, env) =>
  spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: env as NodeJS.ProcessEnv });

export type AgentOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'spawn_failed'; error: NodeJS.ErrnoException };

/**
 * The options before `--` (only `--mqtt URL`) and the command after it. Without `--` everything is
 * the command, which must then not look like an option.
 */
export function parseRunArgs(args: readonly string[]): { argv: string[]; mqtt?: string } {
  const dash = args.indexOf('--');
  const own = dash === -1 ? [] : args.slice(0, dash);
  const argv = dash === -1 ? [...args] : args.slice(dash + 1);
  let mqtt: string | undefined;
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    if (a === '--mqtt' && i + 1 < own.length) mqtt = own[++i];
    else if (a.startsWith('--mqtt=')) mqtt = a.slice('--mqtt='.length);
    else
      throw new HermesError(
        'usage',
        `run: unknown option ${a}; options: --mqtt URL, then -- and the command`,
      );
  }
  if (argv.length === 0) {
    throw new HermesError('usage', 'run: give the command to run after --', {
      hint: 'hermes run -- claude -p "fix the tests"',
    });
  }
  if (dash === -1 && argv[0]!.startsWith('-')) {
    throw new HermesError('usage', `run: unknown option ${argv[0]}; put the command after --`);
  }
  return { argv, mqtt };
}

export function exitStatusOf(o: AgentOutcome): number {
  if (o.kind === 'exit') return o.code;
  if (o.kind === 'signal') return 128 + (constants.signals[o.signal] ?? 0);
  return o.error.code === 'EACCES' ? EXIT_NOT_EXECUTABLE : EXIT_NOT_FOUND;
}

/** How events name the agent: `demo agent` when the runner set HERMES_PROFILE, else the program. */
export const agentName = (program: string, profile: string | undefined): string =>
  profile ? `${profile} agent` : basename(program);

/** The terminal event for an outcome: what a person reads in the chat. */
export function terminalEventFor(program: string, o: AgentOutcome, name: string = basename(program)) {
  if (o.kind === 'exit' && o.code === 0) {
    return { event: 'completed' as const, detail: `${name} exited with status 0`, data: { exit_code: 0 } };
  }
  if (o.kind === 'exit') {
    return {
      event: 'error' as const,
      detail: `${name} exited with status ${o.code}`,
      data: { exit_code: o.code },
    };
  }
  if (o.kind === 'signal') {
    return {
      event: 'error' as const,
      detail: `${name} was killed by signal ${o.signal}`,
      data: { exit_code: exitStatusOf(o), signal: o.signal },
    };
  }
  const why =
    o.error.code === 'ENOENT'
      ? 'not found (check the profile argv and PATH)'
      : o.error.code === 'EACCES'
        ? 'not executable'
        : o.error.message;
  return {
    event: 'error' as const,
    detail: `cannot run ${program}: ${why}${o.error.code ? ` (${o.error.code})` : ''}`,
    data: { exit_code: exitStatusOf(o) },
  };
}

function waitForAgent(child: ChildProcess): Promise<AgentOutcome> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a pid: spawn failed. With a pid it is a kill() failure; 'exit' still follows.
      if (child.pid === undefined) resolve({ kind: 'spawn_failed', error });
    });
    child.once('exit', (code, signal) =>
      resolve(signal ? { kind: 'signal', signal } : { kind: 'exit', code: code ?? 1 }),
    );
  });
}

export interface RunDeps {
  spawnAgent?: SpawnAgent;
}

export async function run(io: AgentIo, deps: RunDeps = {}): Promise<number> {
  const { argv, mqtt } = parseRunArgs(io.args);
  // The agent's own `hermes publish` / hook calls inherit the broker given here.
  const env = withMqttFlag(io.env, mqtt);
  const agent = readAgentEnv(env);
  const name = agentName(argv[0]!, io.env.HERMES_PROFILE || undefined);
  const deadlineMs = Number(io.env.HERMES_PUBLISH_DEADLINE_SECONDS ?? 30) * 1000 || 30_000;
  // Publishing must outlive a SIGTERM that ends the agent: the terminal event is the point.
  const publish = (event: AgentEvent, detail: string, data: Record<string, unknown>) =>
    publishEvent(agent, io, event, detail, data, deadlineMs);

  try {
    await publish('started', `${name} started`, {});
  } catch (e) {
    // The agent still runs: its own events and the terminal one may get through, and the runner's
    // reconcile reports a job whose agent ends without a terminal event.
    io.stderr.write(`hermes run: could not publish started: ${(e as Error).message}\n`);
  }

  const child = (deps.spawnAgent ?? defaultSpawn)(argv, env);
  const forward = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  io.signal.addEventListener('abort', forward, { once: true });
  const outcome = await waitForAgent(child);
  io.signal.removeEventListener('abort', forward);

  const t = terminalEventFor(argv[0]!, outcome, name);
  if (outcome.kind === 'spawn_failed') io.stderr.write(`hermes run: ${t.detail}\n`);
  try {
    await publish(t.event, t.detail, t.data);
  } catch (e) {
    io.stderr.write(`hermes run: could not publish ${t.event}: ${(e as Error).message}\n`);
  }
  return exitStatusOf(outcome);
}

async function publishEvent(
  agent: AgentEnv,
  io: AgentIo,
  event: AgentEvent,
  detail: string,
  data: Record<string, unknown>,
  deadlineMs: number,
): Promise<void> {
  const built = buildEvent({
    jobId: agent.jobId,
    seq: allocateSeq(seqDir(agent.home, agent.jobId)),
    event,
    timestamp: isoTime(io.clock.now()),
    detail,
    data: fromPlain(data) as JsonObject,
    token: agent.token,
    prefix: agent.prefix,
    maxBytes: agent.maxWireBytes,
  });
  await deliverEvent(agent, built, {
    deadlineMs,
    random: io.random,
    onRetry: (m) => io.stderr.write(`hermes run: ${m}\n`),
  });
}
