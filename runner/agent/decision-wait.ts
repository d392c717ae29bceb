/**
 * Waiting for the decision on one request: through the runner's socket when
 * there is one, else with a subscription of our own (made before the request
 * is published, so a fast decision cannot be missed; decisions are retained,
 * so a rerun gets an earlier one at once).
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Random } from '../../src/clock.js';
import { newId } from '../../src/clock.js';
import { HermesError, isHermesError } from '../../src/errors.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import { topics } from '../../src/protocol/topics.js';
import type { AgentEnv } from './agent-env.js';
import { type CheckedDecision, checkDecision } from './decision-check.js';
import { askRunner } from './runner-socket-client.js';

/** What the runner's relay answers waiting agents when it stops (runner/relay/local-relay.ts). */
const RUNNER_STOPPING = 'runner is shutting down';
const RUNNER_RETRY_MS = 500;

export interface DecisionWait {
  /** Resolves once the subscription (or socket path) is in place. */
  ready: Promise<void>;
  /** The decision, or undefined at the deadline. */
  decision: Promise<CheckedDecision | undefined>;
  close(): Promise<void>;
}

export async function waitForDecision(
  agent: AgentEnv,
  requestId: string,
  opts: {
    deadline: number;
    clock: Clock;
    signal: AbortSignal;
    random: Random;
    onIgnored?: (why: string) => void;
  },
): Promise<DecisionWait> {
  const expect = { jobId: agent.jobId, requestId, token: agent.token };
  const remaining = () => Math.max(0, opts.deadline - opts.clock.now());
  if (agent.runnerSocket) {
    const decision = (async () => {
      for (;;) {
        const left = remaining();
        if (left <= 0) return undefined;
        let reply: Awaited<ReturnType<typeof askRunner>>;
        try {
          reply = await askRunner(
            agent.runnerSocket!,
            { op: 'await_decision', job_id: agent.jobId, request_id: requestId, timeout_ms: left },
            left + 5000,
            opts.signal,
          );
        } catch (e) {
          // The runner restarting (socket gone for a moment) is not an answer: the decision is
          // retained on the broker, so ask the runner again once it is back, until the deadline.
          if (opts.signal.aborted || !isHermesError(e, 'broker')) throw e;
          await delay(Math.min(RUNNER_RETRY_MS, remaining()));
          continue;
        }
        if (!reply.ok) {
          if (reply.error === 'timeout') return undefined;
          if (reply.error === RUNNER_STOPPING) {
            await delay(Math.min(RUNNER_RETRY_MS, remaining()));
            continue;
          }
          throw new HermesError('broker', `runner: ${reply.error ?? 'no reason given'}`);
        }
        try {
          return checkDecision(reply.wire ?? '', expect);
        } catch (e) {
          opts.onIgnored?.((e as Error).message);
        }
      }
    })();
    // The caller may fail before it awaits the decision (delivery failed): never an unhandled rejection.
    decision.catch(() => {});
    return { ready: Promise.resolve(), decision, close: async () => {} };
  }
  if (!agent.mqttUrl)
    throw new HermesError('env', 'HERMES_MQTT_URL is not set and there is no runner socket');
  const mqtt = {
    url: agent.mqttUrl.split(','),
    // Agents speak 3.1.1 (the quick publisher too): every broker Hermes supports accepts it.
    protocol_version: 4 as const,
    session_expiry_seconds: 0,
    topic_prefix: agent.prefix,
    username: agent.mqttUsername,
    password_file: agent.mqttPasswordFile,
    ca_file: agent.mqttCaFile,
    cert_file: agent.mqttCertFile,
    key_file: agent.mqttKeyFile,
    insecure: false,
    client_id: undefined,
  };
  // Loaded only on this path: an agent behind a runner socket never pays for mqtt.js or pino.
  const [{ connectBus }, { buildClientOptions }, { silentLogger }] = await Promise.all([
    import('../../src/mqtt/bus.js'),
    import('../../src/mqtt/options.js'),
    import('../../src/log.js'),
  ]);
  const bus: MqttBus = await connectBus({
    url: agent.mqttUrl,
    log: silentLogger,
    signal: opts.signal,
    options: buildClientOptions(
      { mqtt },
      { clientId: newId('hermes-ask', opts.random) },
      { url: agent.mqttUrl },
    ),
  });
  let settle: (d: CheckedDecision | undefined) => void = () => {};
  const decision = new Promise<CheckedDecision | undefined>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => settle(undefined), remaining());
  const onAbort = () => settle(undefined);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const topic = topics.decision(agent.prefix, agent.jobId, requestId);
  bus.onMessage((t, payload) => {
    if (t !== topic || payload.length === 0) return;
    try {
      settle(checkDecision(payload, expect));
    } catch (e) {
      opts.onIgnored?.((e as Error).message);
    }
  });
  // Retried with backoff until the ask's deadline: a broker refusing subscriptions for a while
  // (a cluster node lost) is not an answer.
  const ready = bus.subscribe(topic, 1, { deadlineMs: remaining(), signal: opts.signal });
  return {
    ready,
    decision,
    close: async () => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      await bus.close();
    },
  };
}
