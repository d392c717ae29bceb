/**
 * The agent-side fast path: one QoS 1 message over a short-lived MQTT 3.1.1 connection, written
 * on node:net / node:tls directly. `hermes publish` runs on every agent hook, and importing mqtt.js
 * alone costs more than starting node, so this module must not import mqtt, pino or zod.
 */
import { randomBytes } from 'node:crypto';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import type * as Tls from 'node:tls';
import type { Clock, Random } from '../clock.js';
import { HermesError } from '../errors.js';
import { BrokerError, connackRefusal, connectionFailure, redactUrl } from './broker-errors.js';
import { splitBrokerUrls } from './endpoints.js';
import {
  DISCONNECT,
  encodeConnect,
  encodePublishQos1,
  type IncomingPacket,
  PacketError,
  PacketReader,
  PacketType,
} from './packets.js';

export interface QuickPublishOptions {
  /** mqtt:// (or tcp://) and mqtts:// (or ssl://). */
  url: string;
  topic: string;
  payload: string | Buffer;
  retain?: boolean;
  username?: string;
  password?: string | Buffer;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
  /** Whole exchange: connect, CONNACK, PUBLISH, PUBACK. */
  timeoutMs: number;
  /** Default: random, so two agents never take over each other's connection. */
  clientId?: string;
  signal?: AbortSignal;
}

interface Endpoint {
  tls: boolean;
  host: string;
  port: number;
}

function parseEndpoint(url: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new HermesError('config', `broker URL is not a URL: ${redactUrl(url)}`, { cause });
  }
  const tls = u.protocol === 'mqtts:' || u.protocol === 'ssl:';
  if (!tls && u.protocol !== 'mqtt:' && u.protocol !== 'tcp:') {
    throw new HermesError('config', `quick publish speaks mqtt:// and mqtts:// only, not ${u.protocol}//`, {
      hint: 'use a TCP listener of the broker for agents',
    });
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { tls, host, port: u.port === '' ? (tls ? 8883 : 1883) : Number(u.port) };
}

/** 1-23 characters of [0-9a-zA-Z] is what every 3.1.1 broker must accept [MQTT-3.1.3-5]. */
const randomClientId = () => `hermespub${randomBytes(7).toString('hex')}`;

/** node:tls costs noticeable start-up time; plain mqtt:// (the local default) never loads it. */
function openSocket(ep: Endpoint, o: QuickPublishOptions, tls: typeof Tls | undefined): Socket {
  if (!ep.tls || !tls) return tcpConnect({ host: ep.host, port: ep.port, noDelay: true });
  return tls.connect({
    host: ep.host,
    port: ep.port,
    // SNI takes host names only, never IP addresses.
    servername: isIP(ep.host) === 0 ? ep.host : undefined,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
  });
}

interface Prepared {
  ep: Endpoint;
  packetId: number;
  connectPacket: Buffer;
  publishPacket: [Buffer, Buffer];
}

/** Everything that can be wrong with the input, checked before any connection. */
function prepare(o: QuickPublishOptions): Prepared {
  const ep = parseEndpoint(o.url);
  const payload = typeof o.payload === 'string' ? Buffer.from(o.payload, 'utf8') : o.payload;
  const password = typeof o.password === 'string' ? Buffer.from(o.password, 'utf8') : o.password;
  const packetId = 1 + (randomBytes(2).readUInt16BE(0) % 65_535);
  try {
    const connectPacket = encodeConnect({
      clientId: o.clientId ?? randomClientId(),
      // We never ping: the broker must simply not give up on us before our own timeout does.
      keepaliveSeconds: Math.max(5, Math.ceil(o.timeoutMs / 1000) + 1),
      username: o.username,
      password,
    });
    const publishPacket = encodePublishQos1({ topic: o.topic, payload, packetId, retain: o.retain ?? false });
    return { ep, packetId, connectPacket, publishPacket };
  } catch (e) {
    if (!(e instanceof PacketError)) throw e;
    throw new HermesError(/at most/.test(e.message) ? 'too_large' : 'usage', e.message, { cause: e });
  }
}

const cancelled = (url: string, signal?: AbortSignal) =>
  new HermesError('timeout', `publish to ${redactUrl(url)} cancelled`, { cause: signal?.reason });

/**
 * Publishes once with QoS 1 and resolves when the broker's PUBACK arrives. Network and broker
 * failures reject with a BrokerError that says whether retrying could help; bad input rejects
 * (code usage / config / too_large) before any connection; an abort rejects with code timeout.
 */
export async function quickPublish(o: QuickPublishOptions): Promise<void> {
  const prepared = prepare(o);
  if (o.signal?.aborted) throw cancelled(o.url, o.signal);
  const tls = prepared.ep.tls ? await import('node:tls') : undefined;
  await exchange(o, prepared, tls);
}

function exchange(
  o: QuickPublishOptions,
  { ep, packetId, connectPacket, publishPacket }: Prepared,
  tls: typeof Tls | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const where = redactUrl(o.url);
    let stage: 'connecting' | 'waiting for CONNACK' | 'waiting for PUBACK' = 'connecting';
    let settled = false;
    const socket = openSocket(ep, o, tls);
    const reader = new PacketReader();

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err === undefined) {
        // DISCONNECT, then let the broker close; unref so a slow close never holds the process.
        socket.end(DISCONNECT);
        socket.unref();
        resolve();
      } else {
        socket.destroy();
        reject(err);
      }
    };
    // Once the PUBLISH is written, a failure leaves the outcome unknown: the broker may have it.
    const sent = () => stage === 'waiting for PUBACK';
    const timer = setTimeout(
      () =>
        finish(
          new BrokerError(
            `no answer from the MQTT broker at ${where} within ${o.timeoutMs} ms (${stage})`,
            true,
            { maybeDelivered: sent() },
          ),
        ),
      o.timeoutMs,
    );
    const onAbort = () =>
      finish(new HermesError('timeout', `publish to ${where} cancelled`, { cause: o.signal?.reason }));
    o.signal?.addEventListener('abort', onAbort, { once: true });

    const onPacket = (p: IncomingPacket) => {
      if (stage === 'waiting for CONNACK') {
        if (p.type !== PacketType.CONNACK || p.body.length !== 2) {
          finish(
            new BrokerError(`MQTT broker at ${where} answered CONNECT with packet type ${p.type}`, false),
          );
          return;
        }
        const returnCode = p.body[1]!;
        if (returnCode !== 0) {
          finish(connackRefusal(returnCode, o.url));
          return;
        }
        stage = 'waiting for PUBACK';
        socket.write(publishPacket[0]);
        socket.write(publishPacket[1]);
      } else if (p.type === PacketType.PUBACK && p.body.length >= 2 && p.body.readUInt16BE(0) === packetId) {
        finish();
      }
      // Anything else (a PINGRESP, an ack for another id) is not ours to act on.
    };

    socket.once(ep.tls ? 'secureConnect' : 'connect', () => {
      stage = 'waiting for CONNACK';
      socket.write(connectPacket);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const p of reader.push(chunk)) if (!settled) onPacket(p);
      } catch (e) {
        finish(
          new BrokerError(`MQTT protocol error from ${where}: ${(e as Error).message}`, false, {
            cause: e,
            maybeDelivered: sent(),
          }),
        );
      }
    });
    socket.on('error', (err) => {
      const failure = connectionFailure(err, o.url);
      finish(
        sent()
          ? new BrokerError(failure.message, failure.retryable, {
              cause: err,
              hint: failure.hint,
              maybeDelivered: true,
            })
          : failure,
      );
    });
    socket.on('close', () =>
      finish(
        new BrokerError(`the MQTT broker at ${where} closed the connection (${stage})`, true, {
          maybeDelivered: sent(),
        }),
      ),
    );
  });
}

export interface RetryOptions extends QuickPublishOptions {
  /** Total time to keep trying, from the first attempt. */
  deadlineMs: number;
  random: Random;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** First backoff ceiling; doubles per attempt up to maxDelayMs. Defaults 100 and 5000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait, e.g. to log "broker unreachable, retrying in N ms". */
  onRetry?: (info: { attempt: number; delayMs: number; error: BrokerError }) => void;
}

const realClock: Clock = { now: () => Date.now() };

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new HermesError('timeout', 'publish cancelled', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * quickPublish, retried on transient failures with exponential backoff and full jitter (each wait
 * uniform in [0, min(max, base * 2^n))) until the deadline. `url` may be a comma-separated list of
 * endpoints: a failure moves on to the next at once, and the wait comes after a whole round has
 * failed. Permanent failures (refused credentials, bad certificate, bad input) are thrown at once.
 * QoS 1 semantics: a PUBACK lost in transit means the message may arrive twice; receivers drop
 * duplicates by (job_id, seq).
 */
export async function quickPublishWithRetry(o: RetryOptions): Promise<void> {
  const clock = o.clock ?? realClock;
  const sleep = o.sleep ?? realSleep;
  const base = o.baseDelayMs ?? 100;
  const max = o.maxDelayMs ?? 5_000;
  const started = clock.now();
  const left = () => o.deadlineMs - (clock.now() - started);
  const urls = splitBrokerUrls(o.url);
  if (urls.length === 0) throw new HermesError('config', 'the broker URL list is empty');
  let attempt = 0;
  let last: BrokerError | undefined;
  let maybeDelivered = false;
  while (left() > 0) {
    attempt++;
    const url = urls[(attempt - 1) % urls.length]!;
    try {
      await quickPublish({ ...o, url, timeoutMs: Math.max(1, Math.min(o.timeoutMs, left())) });
      return;
    } catch (e) {
      if (!(e instanceof BrokerError && e.retryable)) throw e;
      last = e;
      maybeDelivered ||= e.maybeDelivered;
    }
    if (left() <= 0) break;
    if (attempt % urls.length !== 0) continue;
    const round = attempt / urls.length;
    const delayMs = Math.min(left(), Math.floor(o.random.float() * Math.min(max, base * 2 ** (round - 1))));
    o.onRetry?.({ attempt, delayMs, error: last });
    await sleep(delayMs, o.signal);
  }
  const seconds = Math.round(o.deadlineMs / 100) / 10;
  throw new BrokerError(
    `gave up publishing to ${o.topic} after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${seconds} s: ${last?.message ?? 'no time to try'}`,
    false,
    { cause: last, hint: last?.hint, maybeDelivered },
  );
}
