/**
 * The MQTT connection bot and runner use: publish, subscribe, receive, and know whether the broker
 * is there. One small interface, implemented on mqtt.js, which reconnects by itself and keeps QoS 1
 * publishes made while offline in memory until the broker is back.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { type Random, systemRandom } from '../clock.js';
import type { Logger } from '../log.js';
import { withBackoff } from './backoff.js';
import { BrokerError, redactUrl } from './broker-errors.js';
import { serverEndpoint, splitBrokerUrls } from './endpoints.js';
import { describeClientError, waitForFirstConnect } from './first-connect.js';
import { describeReasonCode, isPermanentRefusal, isRefusal } from './reason-codes.js';

export interface MessageMeta {
  /** Delivered from the broker's retained store rather than live. */
  retain: boolean;
  /** A QoS 1 redelivery: the same message may have been seen before. */
  dup: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => void;

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** MQTT 5 message expiry: the broker drops the message (retained copy too) after this. */
  expirySeconds?: number;
}

/**
 * MQTT 5 expiry of retained terminal events and decisions: a backstop for a clear that never
 * came (the runner clears a job's terminal event after its linger, the bot a job's decisions when
 * it ends). Ignored on 3.1.1.
 */
export const RETAINED_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface SubscribeOptions {
  /** Keep retrying a refused or failed subscribe this long (default: the bus's, 120 s). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface MqttBus {
  /** Resolves once the broker has the message: on PUBACK for QoS 1, once written for QoS 0. */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void>;
  /**
   * QoS 1 unless told. A refused or failed subscribe is retried with backoff and jitter until the
   * deadline (a cluster node that lost a peer refuses subscriptions for a while); then it rejects.
   * The filters are made again after a reconnect that lost the session.
   */
  subscribe(filters: string | string[], qos?: 0 | 1, opts?: SubscribeOptions): Promise<void>;
  /** Drops subscriptions (the runner follows a job's events only while its session lives). */
  unsubscribe?(filters: string | string[]): Promise<void>;
  /**
   * Adds a handler; returns its remover. Messages that arrive before the first handler is added
   * (a persistent session's backlog comes right after CONNACK) are held and given to it.
   * A handler that throws (or rejects) is logged; it does not stop delivery to others or later.
   */
  onMessage(handler: MessageHandler): () => void;
  readonly connected: boolean;
  onConnectionChange(handler: (connected: boolean) => void): () => void;
  /** Disconnects cleanly (no last will), waiting briefly for in-flight QoS 1 publishes. */
  close(): Promise<void>;
}

export interface ConnectBusOptions {
  /** One URL, or several separated by commas: tried in order, the next when one fails. */
  url: string;
  options: IClientOptions;
  log: Logger;
  /** Default true: resolve after the first CONNACK, reject on the first failure. False: return at once. */
  waitForConnect?: boolean;
  /** Aborting while waiting for the first connection rejects and closes the client. */
  signal?: AbortSignal;
  /** Jitter of subscribe retries. */
  random?: Random;
  /** Default deadline of a subscribe's retries. */
  subscribeDeadlineMs?: number;
}

/** Messages held for a handler that is not there yet; beyond this they are dropped (and logged). */
const MAX_HELD_MESSAGES = 10_000;
/** close() waits this long for in-flight publishes before dropping the connection. */
const CLOSE_GRACE_MS = 5_000;

class MqttJsBus implements MqttBus {
  private readonly messageHandlers = new Set<MessageHandler>();
  private readonly connectionHandlers = new Set<(connected: boolean) => void>();
  private held: [string, Buffer, MessageMeta][] | undefined = [];
  private isConnected = false;
  private lastErrorLogged: string | undefined;
  private closing: Promise<void> | undefined;
  /** Filters subscribed (or being subscribed), made again when a reconnect lost the session. */
  private readonly wanted = new Map<string, 0 | 1>();
  private readonly stopRetries = new AbortController();
  private connects = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly url: string,
    private readonly log: Logger,
    private readonly retry: { random: Random; deadlineMs: number },
  ) {
    client.on('message', (topic, payload, packet) => {
      this.deliver(topic, payload, { retain: packet.retain === true, dup: packet.dup === true });
    });
    client.on('connect', (connack) => {
      this.lastErrorLogged = undefined;
      const s = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
      log.info(
        {
          url: redactUrl(url),
          node: s?.remoteAddress ? `${s.remoteAddress}:${s.remotePort}` : undefined,
          sessionPresent: connack.sessionPresent,
        },
        'connected to MQTT broker',
      );
      const lost = client.options.clean !== false || connack.sessionPresent !== true;
      if (this.connects++ > 0 && lost) this.resubscribe();
      this.setConnected(true);
    });
    client.on('close', () => this.setConnected(false));
    // Without an 'error' listener mqtt.js would throw from the socket callback and end the process.
    client.on('error', (err) => this.logError(err));
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void> {
    const v5 = this.client.options.protocolVersion === 5;
    try {
      await this.client.publishAsync(topic, payload, {
        qos: opts.qos,
        retain: opts.retain ?? false,
        ...(v5 && opts.expirySeconds !== undefined
          ? { properties: { messageExpiryInterval: opts.expirySeconds } }
          : {}),
      });
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'number') {
        this.log.warn({ topic, reason: describeReasonCode(code) }, 'the MQTT broker refused a publish');
      }
      throw new BrokerError(`publish to ${topic} failed: ${(cause as Error).message}`, true, { cause });
    }
  }

  async subscribe(filters: string | string[], qos: 0 | 1 = 1, opts: SubscribeOptions = {}): Promise<void> {
    const list = typeof filters === 'string' ? [filters] : filters;
    for (const f of list) this.wanted.set(f, qos);
    const signal = opts.signal
      ? AbortSignal.any([opts.signal, this.stopRetries.signal])
      : this.stopRetries.signal;
    try {
      await withBackoff(() => this.subscribeOnce(list, qos), {
        deadlineMs: opts.deadlineMs ?? this.retry.deadlineMs,
        random: this.retry.random,
        signal,
        onRetry: ({ attempt, delayMs, error }) =>
          this.log.warn(
            { filters: list, attempt, delayMs, err: (error as Error).message },
            'MQTT subscribe failed; retrying',
          ),
      });
    } catch (e) {
      for (const f of list) this.wanted.delete(f);
      throw e;
    }
  }

  private async subscribeOnce(filters: string[], qos: 0 | 1): Promise<void> {
    let granted: { topic: string; qos: number }[];
    try {
      granted = await this.client.subscribeAsync(filters, { qos });
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      const reason = typeof code === 'number' ? describeReasonCode(code) : undefined;
      if (reason) this.log.warn({ filters, reason }, 'the MQTT broker refused a subscription');
      throw new BrokerError(
        `subscribe to ${filters.join(', ')} failed: ${(cause as Error).message}`,
        !(typeof code === 'number' && isPermanentRefusal(code)),
        { cause, hint: reason ? 'check the broker ACL for this user' : undefined },
      );
    }
    const refused = granted.filter((g) => isRefusal(g.qos));
    if (refused.length > 0) {
      const reasons = refused.map((g) => `${g.topic}: ${describeReasonCode(g.qos)}`);
      this.log.warn({ refused: reasons }, 'the MQTT broker refused a subscription');
      throw new BrokerError(
        `the MQTT broker refused the subscription to ${reasons.join(', ')}`,
        !refused.some((g) => isPermanentRefusal(g.qos)),
        { hint: 'check the broker ACL for this user' },
      );
    }
  }

  /** The broker forgot our subscriptions (clean session, another node, expired): make them again. */
  private resubscribe(): void {
    const byQos = new Map<0 | 1, string[]>();
    for (const [f, q] of this.wanted) byQos.set(q, [...(byQos.get(q) ?? []), f]);
    for (const [qos, filters] of byQos) {
      withBackoff(() => this.subscribeOnce(filters, qos), {
        deadlineMs: Number.POSITIVE_INFINITY,
        random: this.retry.random,
        signal: this.stopRetries.signal,
        retryable: (e) => !(e instanceof BrokerError) || e.retryable,
      })
        .then(() => this.log.info({ filters }, 'subscriptions made again after reconnect'))
        .catch((err: unknown) => {
          if (!this.closing) this.log.error({ err, filters }, 'cannot subscribe again after reconnect');
        });
    }
  }

  async unsubscribe(filters: string | string[]): Promise<void> {
    for (const f of typeof filters === 'string' ? [filters] : filters) this.wanted.delete(f);
    try {
      await this.client.unsubscribeAsync(filters);
    } catch (cause) {
      throw new BrokerError(`unsubscribe from ${String(filters)} failed: ${(cause as Error).message}`, true, {
        cause,
      });
    }
  }

  onMessage(handler: MessageHandler): () => void {
    this.messageHandlers.add(handler);
    const held = this.held;
    this.held = undefined;
    for (const [topic, payload, meta] of held ?? []) this.callHandler(handler, topic, payload, meta);
    return () => this.messageHandlers.delete(handler);
  }

  onConnectionChange(handler: (connected: boolean) => void): () => void {
    this.connectionHandlers.add(handler);
    return () => this.connectionHandlers.delete(handler);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopRetries.abort();
      if (this.client.connected) {
        // end(false) waits for in-flight QoS 1 acks forever if the broker goes away meanwhile.
        const graceful = this.client.endAsync(false);
        const timer = setTimeout(() => this.client.end(true), CLOSE_GRACE_MS);
        await graceful.finally(() => clearTimeout(timer));
      } else {
        await this.client.endAsync(true);
      }
      this.setConnected(false);
    })();
    return this.closing;
  }

  private deliver(topic: string, payload: Buffer, meta: MessageMeta): void {
    if (this.held !== undefined) {
      if (this.held.length < MAX_HELD_MESSAGES) this.held.push([topic, payload, meta]);
      else this.log.warn({ topic }, 'no MQTT message handler yet and the hold is full; message dropped');
      return;
    }
    for (const handler of this.messageHandlers) this.callHandler(handler, topic, payload, meta);
  }

  private callHandler(handler: MessageHandler, topic: string, payload: Buffer, meta: MessageMeta): void {
    const fail = (err: unknown) => this.log.error({ err, topic }, 'MQTT message handler failed');
    try {
      // Handlers are typed as returning void, but an async one returns a promise: catch its rejection too.
      const result: unknown = handler(topic, payload, meta);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private setConnected(connected: boolean): void {
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    if (!connected && !this.closing)
      this.log.warn({ url: redactUrl(this.url) }, 'lost the MQTT broker connection');
    for (const handler of this.connectionHandlers) {
      try {
        handler(connected);
      } catch (err) {
        this.log.error({ err }, 'MQTT connection handler failed');
      }
    }
  }

  /** Reconnect attempts fail every second while the broker is down: log each distinct failure once. */
  private logError(err: Error): void {
    const e = describeClientError(err, this.url);
    if (e.message === this.lastErrorLogged) {
      this.log.debug({ err: e.message }, 'MQTT broker still unreachable');
      return;
    }
    this.lastErrorLogged = e.message;
    this.log.warn({ err: e.message, hint: e.hint }, 'MQTT connection problem');
  }
}

/**
 * Connects to the broker, or to the first of a comma-separated list that answers (mqtt.js
 * `servers`: every reconnect moves on to the next endpoint). With waitForConnect (default) a
 * permanent failure, or every endpoint failing once, rejects with a hint.
 */
export async function connectBus(opts: ConnectBusOptions): Promise<MqttBus> {
  const log = opts.log.child({ component: 'mqtt' });
  if (opts.options.rejectUnauthorized === false) {
    log.warn('mqtt.insecure is on: the broker certificate is not verified');
  }
  opts.signal?.throwIfAborted();
  const urls = splitBrokerUrls(opts.url);
  const servers = urls.length > 1 ? urls.map(serverEndpoint) : [];
  const client = connect(urls[0] ?? opts.url, {
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
    ...opts.options,
    // Subscriptions are made again by the bus, which sees (and retries) refusals; mqtt.js would not.
    resubscribe: false,
    ...(servers.length > 1 && servers.every((x) => x !== undefined) ? { servers } : {}),
  });
  const bus = new MqttJsBus(client, opts.url, log, {
    random: opts.random ?? systemRandom,
    deadlineMs: opts.subscribeDeadlineMs ?? 120_000,
  });
  if (opts.waitForConnect === false) return bus;
  try {
    await waitForFirstConnect(client, opts.url, urls.length, opts.signal);
  } catch (e) {
    await client.endAsync(true);
    throw e;
  }
  return bus;
}
