/**
 * `hermes publish --event E [--detail TEXT] [--data JSON] [--deadline SECONDS] [--mqtt URL] [--json]`
 * Runs on every agent hook: it imports only what publishing needs.
 */
import { parseArgs } from 'node:util';
import { isoTime } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { AGENT_EVENTS, type AgentEvent, buildEvent, parseDataFlag } from './build-event.js';
import { checkEventData } from './check-event.js';
import { deliverEvent } from './deliver-event.js';
import { allocateSeq, seqDir } from './seq-allocator.js';

export const DEFAULT_DEADLINE_SECONDS = 30;

export async function run(io: AgentIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: io.args,
      options: {
        event: { type: 'string' },
        detail: { type: 'string' },
        data: { type: 'string' },
        deadline: { type: 'string' },
        mqtt: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new HermesError('usage', `publish: ${(e as Error).message}`);
  }
  if (typeof values.event !== 'string') throw new HermesError('usage', 'publish: --event is required');
  const deadlineS =
    values.deadline === undefined
      ? Number(io.env.HERMES_PUBLISH_DEADLINE_SECONDS ?? DEFAULT_DEADLINE_SECONDS)
      : Number(values.deadline);
  if (!Number.isFinite(deadlineS) || deadlineS <= 0)
    throw new HermesError('usage', 'publish: --deadline must be a positive number of seconds');
  if (!(AGENT_EVENTS as readonly string[]).includes(values.event)) {
    throw new HermesError('usage', `publish: --event must be one of ${AGENT_EVENTS.join(', ')}`);
  }
  const data = parseDataFlag(values.data as string | undefined);
  // Before a seq is taken: a refused event should not leave a gap.
  checkEventData(values.event, data);
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  const seq = allocateSeq(seqDir(agent.home, agent.jobId));
  const built = buildEvent({
    jobId: agent.jobId,
    seq,
    event: values.event as AgentEvent,
    timestamp: isoTime(io.clock.now()),
    detail: values.detail as string | undefined,
    data,
    token: agent.token,
    prefix: agent.prefix,
    maxBytes: agent.maxWireBytes,
  });
  const via = await deliverEvent(agent, built, {
    deadlineMs: deadlineS * 1000,
    random: io.random,
    signal: io.signal,
    onRetry: (m) => io.stderr.write(`hermes publish: ${m}\n`),
  });
  if (values.json)
    io.stdout.write(`${JSON.stringify({ job_id: agent.jobId, seq, event: values.event, via })}\n`);
  return 0;
}
