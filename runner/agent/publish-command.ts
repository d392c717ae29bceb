/**
 * `hermes publish --event E [--detail TEXT] [--data JSON] [--deadline SECONDS] [--seq-from N] [--mqtt URL] [--json]`
 * `hermes publish --resend SEQ [--deadline SECONDS] [--mqtt URL] [--json]`
 * Runs on every agent hook: it imports only what publishing needs.
 *
 * Exit 0 delivered, 75 outcome unknown (the event is kept for `--resend`), 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { isoTime } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { BrokerError } from '../../src/mqtt/broker-errors.js';
import { type AgentEnv, readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { AGENT_EVENTS, type AgentEvent, type BuiltEvent, buildEvent, parseDataFlag } from './build-event.js';
import { checkEventData } from './check-event.js';
import { deliverEvent } from './deliver-event.js';
import { takeSeq } from './take-seq.js';
import { dropUnsent, loadUnsent, PUBLISH_UNKNOWN_EXIT, saveUnsent } from './unsent-events.js';

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
        'seq-from': { type: 'string' },
        resend: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new HermesError('usage', `publish: ${(e as Error).message}`);
  }
  const deadlineS =
    values.deadline === undefined
      ? Number(io.env.HERMES_PUBLISH_DEADLINE_SECONDS ?? DEFAULT_DEADLINE_SECONDS)
      : Number(values.deadline);
  if (!Number.isFinite(deadlineS) || deadlineS <= 0)
    throw new HermesError('usage', 'publish: --deadline must be a positive number of seconds');
  if (values.resend !== undefined) return resend(io, values, deadlineS);
  if (typeof values.event !== 'string') throw new HermesError('usage', 'publish: --event is required');
  const seqFrom =
    values['seq-from'] === undefined ? undefined : seqNumber('--seq-from', values['seq-from'] as string);
  if (!(AGENT_EVENTS as readonly string[]).includes(values.event)) {
    throw new HermesError('usage', `publish: --event must be one of ${AGENT_EVENTS.join(', ')}`);
  }
  const data = parseDataFlag(values.data as string | undefined);
  // Before a seq is taken: a refused event should not leave a gap.
  checkEventData(values.event, data);
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  // Under a runner the runner numbers it, above what any publisher of the job used (take-seq.ts).
  const seq = await takeSeq(agent, seqFrom, {
    signal: io.signal,
    deadlineMs: deadlineS * 1000,
    onFallback: (m) => io.stderr.write(`hermes publish: ${m}\n`),
  });
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
  return deliver(io, agent, built, values.event, deadlineS, values.json === true);
}

async function resend(
  io: AgentIo,
  values: Record<string, string | boolean | undefined>,
  deadlineS: number,
): Promise<number> {
  for (const other of ['event', 'detail', 'data', 'seq-from'])
    if (values[other] !== undefined)
      throw new HermesError('usage', `publish: --resend sends the kept event as it is; drop --${other}`);
  const seq = seqNumber('--resend', values.resend as string);
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  const built = loadUnsent(agent.home, agent.jobId, seq);
  return deliver(io, agent, built, 'resend', deadlineS, values.json === true);
}

async function deliver(
  io: AgentIo,
  agent: AgentEnv,
  built: BuiltEvent,
  event: string,
  deadlineS: number,
  json: boolean,
): Promise<number> {
  let via: 'runner' | 'broker';
  try {
    via = await deliverEvent(agent, built, {
      deadlineMs: deadlineS * 1000,
      random: io.random,
      signal: io.signal,
      onRetry: (m) => io.stderr.write(`hermes publish: ${m}\n`),
    });
  } catch (e) {
    if (!(e instanceof BrokerError && e.maybeDelivered)) throw e;
    saveUnsent(agent.home, agent.jobId, built);
    io.stderr.write(
      `hermes publish: outcome unknown for seq ${built.seq}: the broker took the event but did not acknowledge it (${e.message}); ` +
        `re-send the same event with \`hermes publish --resend ${built.seq}\` (safe: the bot drops an identical repeat)\n`,
    );
    if (json)
      io.stdout.write(`${JSON.stringify({ job_id: agent.jobId, seq: built.seq, outcome: 'unknown' })}\n`);
    return PUBLISH_UNKNOWN_EXIT;
  }
  dropUnsent(agent.home, agent.jobId, built.seq);
  if (json) io.stdout.write(`${JSON.stringify({ job_id: agent.jobId, seq: built.seq, event, via })}\n`);
  return 0;
}

function seqNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new HermesError('usage', `publish: ${flag} must be a whole number from 1`);
  return n;
}
