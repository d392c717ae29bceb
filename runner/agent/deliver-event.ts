/**
 * Deliver one signed agent event: to the runner's local relay when
 * HERMES_RUNNER_SOCKET is set (acknowledged once it is in the runner's
 * outbox), else straight to the broker with QoS 1, retrying with backoff and
 * jitter until the deadline.
 */
import type { Random } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { quickPublishWithRetry } from '../../src/mqtt/quick-publish.js';
import type { AgentEnv } from './agent-env.js';
import { agentBrokerAuth } from './broker-auth.js';
import type { BuiltEvent } from './build-event.js';
import { askRunner } from './runner-socket-client.js';

export interface DeliverOptions {
  deadlineMs: number;
  random: Random;
  signal?: AbortSignal;
  onRetry?: (message: string) => void;
}

export async function deliverEvent(
  agent: AgentEnv,
  built: BuiltEvent,
  opts: DeliverOptions,
): Promise<'runner' | 'broker'> {
  if (agent.runnerSocket) {
    try {
      const reply = await askRunner(
        agent.runnerSocket,
        {
          op: 'publish',
          job_id: agent.jobId,
          seq: built.seq,
          topic: built.topic,
          wire: built.wire,
          retain: built.retain,
        },
        Math.min(opts.deadlineMs, 10_000),
        opts.signal,
      );
      if (reply.ok) return 'runner';
      throw new HermesError('broker', `runner refused the event: ${reply.error ?? 'no reason given'}`);
    } catch (e) {
      if (!agent.mqttUrl) throw e;
      opts.onRetry?.(`runner socket unusable (${(e as Error).message}); publishing directly`);
    }
  }
  if (!agent.mqttUrl)
    throw new HermesError('env', 'HERMES_MQTT_URL is not set and no runner socket is usable');
  const auth = agentBrokerAuth(agent);
  await quickPublishWithRetry({
    url: agent.mqttUrl,
    topic: built.topic,
    payload: built.wire,
    retain: built.retain,
    ...auth,
    timeoutMs: Math.min(10_000, opts.deadlineMs),
    deadlineMs: opts.deadlineMs,
    random: opts.random,
    signal: opts.signal,
    onRetry: (i) =>
      opts.onRetry?.(`attempt ${i.attempt} failed (${i.error.message}); retrying in ${i.delayMs} ms`),
  });
  return 'broker';
}
