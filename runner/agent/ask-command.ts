/**
 * `hermes ask --tool NAME --input JSON [--reason TEXT] [--timeout SECONDS] [--request-id ID] [--deadline SECONDS] [--mqtt URL] [--policy JSON]`
 * `hermes ask --resend SEQ [--timeout SECONDS] [--deadline SECONDS] [--mqtt URL]`
 *
 * `--policy` (the hooks set it) is what the job's static rules said, carried as `data.policy`.
 *
 * Subscribes to the decision topic of a fresh request id first, then
 * publishes `permission_required`, and blocks until a signed decision for
 * that request arrives. Exit 0 approve, 1 deny, 3 timeout (a deny: nothing
 * passes without a person), 75 outcome unknown: the broker took the request
 * without acknowledging it and no decision came, so nobody may have seen it
 * (the signed request is kept; `--resend SEQ` sends those bytes again and
 * waits). The decision is printed as JSON on stdout.
 */
import { parseArgs } from 'node:util';
import { isoTime, newId } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { BrokerError } from '../../src/mqtt/broker-errors.js';
import { refuseInexact } from '../../src/protocol/exact-numbers.js';
import { fromPlain, type JsonObject, parseLossless } from '../../src/protocol/lossless-json.js';
import { ID_RE } from '../../src/protocol/topics.js';
import { type AgentEnv, readAgentEnv, withMqttFlag } from './agent-env.js';
import type { AgentIo } from './agent-io.js';
import { type BuiltEvent, buildEvent } from './build-event.js';
import { waitForDecision } from './decision-wait.js';
import { deliverEvent } from './deliver-event.js';
import { takeSeq } from './take-seq.js';
import { dropUnsent, loadUnsent, PUBLISH_UNKNOWN_EXIT, saveUnsent } from './unsent-events.js';

export const ASK_EXIT = { approve: 0, deny: 1, timeout: 3, unknown: PUBLISH_UNKNOWN_EXIT } as const;

type Values = Record<string, string | boolean | undefined>;

/** What one run asks: the request, its deadline, and how to get its event (none for --request-id). */
interface Asking {
  agent: AgentEnv;
  requestId: string;
  deadline: number;
  event?: () => Promise<BuiltEvent>;
}

export async function run(io: AgentIo): Promise<number> {
  let values: Values;
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
        resend: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new HermesError('usage', `ask: ${(e as Error).message}`);
  }
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0))
    throw new HermesError('usage', 'ask: --timeout must be a positive number of seconds');
  const asking =
    values.resend !== undefined ? resending(io, values, timeoutS) : asking1(io, values, timeoutS);
  return askAndWait(io, asking, values);
}

function asking1(io: AgentIo, values: Values, timeoutFlag: number | undefined): Asking {
  const rerun = values['request-id'] as string | undefined;
  if (rerun !== undefined && !ID_RE.test(rerun))
    throw new HermesError('usage', 'ask: --request-id is not a valid id');
  if (!rerun && !values.tool) throw new HermesError('usage', 'ask: --tool is required');
  const timeoutS = timeoutFlag ?? Number(io.env.HERMES_ASK_TIMEOUT_SECONDS ?? 600);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new HermesError('usage', 'ask: --timeout must be a positive number of seconds');
  const input = jsonFlag('--input', values.input) ?? new Map();
  refuseInexact('ask: --input', input);
  const policy = jsonFlag('--policy', values.policy);
  if (policy !== undefined && !(policy instanceof Map))
    throw new HermesError('usage', 'ask: --policy must be a JSON object');
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  const requestId = rerun ?? newId('r', io.random);
  const started = io.clock.now();
  const deadline = started + timeoutS * 1000;
  if (rerun) return { agent, requestId, deadline };
  const event = async () => {
    const seq = await takeSeq(agent, undefined, {
      signal: io.signal,
      deadlineMs: deadline - io.clock.now(),
      onFallback: (m) => io.stderr.write(`hermes ask: ${m}\n`),
    });
    const data = fromPlain({
      request_id: requestId,
      tool: values.tool,
      expires_at: isoTime(deadline),
    }) as JsonObject;
    data.set('input', input);
    if (policy) data.set('policy', policy);
    return buildEvent({
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
  };
  return { agent, requestId, deadline, event };
}

/** `--resend SEQ`: the kept request, byte for byte; waits until --timeout, else its expires_at. */
function resending(io: AgentIo, values: Values, timeoutS: number | undefined): Asking {
  for (const other of ['tool', 'input', 'reason', 'policy', 'request-id'])
    if (values[other] !== undefined)
      throw new HermesError('usage', `ask: --resend sends the kept request as it is; drop --${other}`);
  const text = values.resend as string;
  const seq = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq) || seq < 1)
    throw new HermesError('usage', 'ask: --resend must be a whole number from 1');
  const agent = readAgentEnv(withMqttFlag(io.env, values.mqtt as string | undefined));
  const built = loadUnsent(agent.home, agent.jobId, seq);
  const env = parseLossless(built.wire) as JsonObject;
  const data = env.get('data') as JsonObject | undefined;
  const requestId = data?.get('request_id');
  if (env.get('event') !== 'permission_required' || typeof requestId !== 'string')
    throw new HermesError(
      'usage',
      `ask: kept seq ${seq} is not a permission request; use hermes publish --resend`,
    );
  const expires = Date.parse(String(data?.get('expires_at')));
  const now = io.clock.now();
  const deadline =
    timeoutS !== undefined
      ? now + timeoutS * 1000
      : Number.isFinite(expires)
        ? Math.max(expires, now + 1000)
        : now;
  return { agent, requestId, deadline, event: async () => built };
}

async function askAndWait(io: AgentIo, a: Asking, values: Values): Promise<number> {
  const { agent, requestId, deadline } = a;
  const wait = await waitForDecision(agent, requestId, {
    deadline,
    clock: io.clock,
    signal: io.signal,
    random: io.random,
  });
  let unknown: BuiltEvent | undefined;
  let sent: BuiltEvent | undefined;
  try {
    await wait.ready;
    if (a.event) {
      sent = await a.event();
      try {
        await deliverEvent(agent, sent, {
          deadlineMs: Math.max(
            1000,
            Math.min(deadline - io.clock.now(), Number(values.deadline ?? 30) * 1000),
          ),
          random: io.random,
          signal: io.signal,
          onRetry: (m) => io.stderr.write(`hermes ask: ${m}\n`),
        });
      } catch (e) {
        if (!(e instanceof BrokerError && e.maybeDelivered)) throw e;
        // The bot may have it: a decision may still come, so wait on; keep the bytes for --resend.
        unknown = sent;
        saveUnsent(agent.home, agent.jobId, sent);
      }
    }
    const decision = await wait.decision;
    // A decision means the request arrived: nothing is left to re-send.
    if (sent && (decision || !unknown)) dropUnsent(agent.home, agent.jobId, sent.seq);
    if (!decision && unknown) {
      io.stderr.write(
        `hermes ask: outcome unknown for seq ${unknown.seq} (request ${requestId}): the broker took the request but did not acknowledge it, and no decision came; ` +
          `re-send it and wait with \`hermes ask --resend ${unknown.seq}\` (safe: the bot drops an identical repeat)\n`,
      );
      io.stdout.write(
        `${JSON.stringify({ request_id: requestId, job_id: agent.jobId, seq: unknown.seq, outcome: 'unknown' })}\n`,
      );
      return ASK_EXIT.unknown;
    }
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

function jsonFlag(
  flag: string,
  text: string | boolean | undefined,
): ReturnType<typeof parseLossless> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return parseLossless(text);
  } catch (e) {
    throw new HermesError('usage', `ask: ${flag} is not valid JSON: ${(e as Error).message}`);
  }
}
