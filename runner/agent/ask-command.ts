/**
 * `hermes ask --tool NAME --input JSON [--reason TEXT] [--timeout SECONDS] [--request-id ID] [--deadline SECONDS] [--mqtt URL] [--policy JSON]`
 *
 * `--policy` (the hooks set it) is what the job's static rules said, carried as `data.policy`.
 *
 * Subscribes to the decision topic of a fresh request id first, then
 * publishes `permission_required`, and blocks until a signed decision for
 * that request arrives. Exit 0 approve, 1 deny, 3 timeout (a deny: nothing
 * passes without a person). The decision is printed as JSON on stdout.
 */
import { parseArgs } from 'node:util';
import { isoTime, newId } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { refuseInexact } from '../../src/protocol/exact-numbers.js';
import { fromPlain, type JsonObject, parseLossless } from '../../src/protocol/lossless-json.js';
import { ID_RE } from '../../src/protocol/topics.js';
import { readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { buildEvent } from './build-event.js';
import { waitForDecision } from './decision-wait.js';
import { deliverEvent } from './deliver-event.js';
import { allocateSeq, seqDir } from './seq-allocator.js';

export const ASK_EXIT = { approve: 0, deny: 1, timeout: 3 } as const;

export async function run(io: AgentIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: io.args,
      options: {
        tool: { type: 'string' },
        input: { type: 'string' },
        reason: { type: 'string' },
        timeout: { type: 'string' },
        'request-id': { type: 'string' },
        deadline: { type: 'string' },
        mqtt: { type: 'string' },
        policy: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new HermesError('usage', `ask: ${(e as Error).message}`);
  }
  const rerun = values['request-id'] as string | undefined;
  if (rerun !== undefined && !ID_RE.test(rerun))
    throw new HermesError('usage', 'ask: --request-id is not a valid id');
  if (!rerun && !values.tool) throw new HermesError('usage', 'ask: --tool is required');
  const timeoutS = Number(values.timeout ?? io.env.HERMES_ASK_TIMEOUT_SECONDS ?? 600);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new HermesError('usage', 'ask: --timeout must be a positive number of seconds');
  let input: JsonObject | ReturnType<typeof parseLossless> = new Map();
  if (values.input !== undefined) {
    try {
      input = parseLossless(values.input as string);
    } catch (e) {
      throw new HermesError('usage', `ask: --input is not valid JSON: ${(e as Error).message}`);
    }
  }
  refuseInexact('ask: --input', input);
  let policy: JsonObject | undefined;
  if (values.policy !== undefined) {
    let parsed: ReturnType<typeof parseLossless>;
    try {
      parsed = parseLossless(values.policy as string);
    } catch (e) {
      throw new HermesError('usage', `ask: --policy is not valid JSON: ${(e as Error).message}`);
    }
    if (!(parsed instanceof Map)) throw new HermesError('usage', 'ask: --policy must be a JSON object');
    policy = parsed;
  }
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  const requestId = rerun ?? newId('r', io.random);
  const started = io.clock.now();
  const deadline = started + timeoutS * 1000;

  const wait = await waitForDecision(agent, requestId, {
    deadline,
    clock: io.clock,
    signal: io.signal,
    random: io.random,
  });
  try {
    await wait.ready;
    if (!rerun) {
      const seq = allocateSeq(seqDir(agent.home, agent.jobId));
      const data = fromPlain({
        request_id: requestId,
        tool: values.tool,
        expires_at: isoTime(deadline),
      }) as JsonObject;
      data.set('input', input);
      if (policy) data.set('policy', policy);
      const built = buildEvent({
        jobId: agent.jobId,
        seq,
        event: 'permission_required',
        timestamp: isoTime(started),
        detail: (values.reason as string | undefined) ?? `${values.tool} wants to run`,
        data,
        token: agent.token,
        prefix: agent.prefix,
        maxBytes: agent.maxWireBytes,
      });
      await deliverEvent(agent, built, {
        deadlineMs: Math.max(1000, Math.min(deadline - io.clock.now(), Number(values.deadline ?? 30) * 1000)),
        random: io.random,
        signal: io.signal,
        onRetry: (m) => io.stderr.write(`hermes ask: ${m}\n`),
      });
    }
    const decision = await wait.decision;
    if (!decision) {
      io.stdout.write(
        `${JSON.stringify({ request_id: requestId, decision: 'deny', decided_by: 'hermes:timeout', reason: 'no decision before the timeout' })}\n`,
      );
      return ASK_EXIT.timeout;
    }
    io.stdout.write(`${JSON.stringify(decision)}\n`);
    // The bot denies a request nobody answered at its expiry (decided_by 'hermes:expired', as in
    // src/jobs/decisions.ts; not imported, to keep this bundle light). That is this request's
    // timeout, seen from the bot's clock: it may arrive just before our own timer fires.
    if (decision.decided_by === 'hermes:expired') return ASK_EXIT.timeout;
    return decision.decision === 'approve' ? ASK_EXIT.approve : ASK_EXIT.deny;
  } finally {
    await wait.close();
  }
}
