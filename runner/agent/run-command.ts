/**
 * `hermes run [--mqtt URL] -- CMD [ARGS...]`: wraps any agent so every job ends with a
 * terminal event, even if the agent never calls Hermes itself.
 *
 * Publishes `started`, runs CMD (argv, no shell) with this process's stdio,
 * then publishes `completed` for exit 0 or `error` otherwise (the status in
 * `detail`, `data.exit_code` and, for a signal, `data.signal`) and exits with
 * CMD's status (128 + n for signal n). Agents whose output Hermes reads, and
 * profiles that take follow-ups, run as a conversation (conversation.ts). A CMD that cannot be spawned becomes an
 * `error` event with the cause, exit 127 (126 when it is not executable).
 * Events go the way `hermes publish` sends them (runner socket, else broker).
 */
import { isoTime } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { fromPlain, type JsonObject } from '../../src/protocol/lossless-json.js';
import { type AgentEnv, readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { agentName } from './agent-outcome.js';
import { defaultSpawn, type SpawnAgent } from './agent-turn.js';
import { type AgentEvent, buildEvent } from './build-event.js';
import { runConversation } from './conversation.js';
import { conversationSettings } from './conversation-settings.js';
import { deliverEvent } from './deliver-event.js';
import { takeSeq } from './take-seq.js';

export {
  agentName,
  EXIT_NOT_EXECUTABLE,
  EXIT_NOT_FOUND,
  exitStatusOf,
  terminalEventFor,
} from './agent-outcome.js';
export type { AgentOutcome, SpawnAgent } from './agent-turn.js';

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

export interface RunDeps {
  spawnAgent?: SpawnAgent;
}

export async function run(io: AgentIo, deps: RunDeps = {}): Promise<number> {
  const { argv, mqtt } = parseRunArgs(io.args);
  // The agent's own `hermes publish` / hook calls inherit the broker given here.
  const env = withMqttFlag(io.env, mqtt);
  const agent = readAgentEnv(env);
  const settings = conversationSettings(env);
  const name = agentName(argv[0]!, io.env.HERMES_PROFILE || undefined);
  const deadlineMs = Number(io.env.HERMES_PUBLISH_DEADLINE_SECONDS ?? 30) * 1000 || 30_000;
  // Publishing must outlive a SIGTERM that ends the agent: the terminal event is the point.
  const publish = (event: AgentEvent, detail: string, data: Record<string, unknown>) =>
    publishEvent(agent, io, event, detail, data, deadlineMs);
  return runConversation({
    io,
    env,
    argv,
    name,
    home: agent.home,
    jobId: agent.jobId,
    settings,
    publish,
    spawnAgent: deps.spawnAgent ?? defaultSpawn,
  });
}

async function publishEvent(
  agent: AgentEnv,
  io: AgentIo,
  event: AgentEvent,
  detail: string,
  data: Record<string, unknown>,
  deadlineMs: number,
): Promise<void> {
  const seq = await takeSeq(agent, undefined, {
    deadlineMs,
    onFallback: (m) => io.stderr.write(`hermes run: ${m}\n`),
  });
  const built = buildEvent({
    jobId: agent.jobId,
    seq,
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
