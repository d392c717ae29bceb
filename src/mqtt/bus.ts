/**
 * The MQTT connection bot and runner use: publish, subscribe, receive, and know whether the broker
 * is there. One small interface, implemented on mqtt.js, which reconnects by itself and keeps QoS 1
 * publishes made while offline in memory until the broker is back.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { HermesError } from '../errors.js';
import type { Logger } from '../log.js';
import { BrokerError, connackRefusal, connectionFailure, redactUrl } from './broker-errors.js';

export interface MessageMeta {
  /** Delivered from the broker's retained store rather than live. */
  retain: boolean;
  /** A QoS 1 redelivery: the same message may have been seen before. */
  dup: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => void;

export interface MqttBus {
  /** Resolves once the broker has the message: on PUBACK for QoS 1, once written for QoS 0. */
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** QoS 1 unless told. Rejects if the broker refuses a filter. */
  subscribe(filters: string | string[], qos?: 0 | 1): Promise<void>;
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
  url: string;
  options: IClientOptions;
  log: Logger;
  /** Default true: resolve after the first CONNACK, reject on the first failure. False: return at once. */
  waitForConnect?: boolean;
  /** Aborting while waiting for the first connection rejects and closes the client. */
  signal?: AbortSignal;
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

  constructor(
    private readonly client: MqttClient,
    private readonly url: string,
    private readonly log: Logger,
  ) {
    client.on('message', (topic, payload, packet) => {
      this.deliver(topic, payload, { retain: packet.retain === true, dup: packet.dup === true });
    });
    client.on('connect', (connack) => {
      this.lastErrorLogged = undefined;
      log.info({ url: redactUrl(url), sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
      this.setConnected(true);
    });
    client.on('close', () => this.setConnected(false));
    // Without an 'error' listener mqtt.js would throw from the socket callback and end the process.
    client.on('error', (err) => this.logError(err));
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async publish(
    topic: string,
    payload: string | Buffer,
    opts: { qos: 0 | 1; retain?: boolean },
  ): Promise<void> {
    try {
      await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain ?? false });
    } catch (cause) {
      throw new BrokerError(`publish to ${topic} failed: ${(cause as Error).message}`, true, { cause });
    }
  }

  async subscribe(filters: string | string[], qos: 0 | 1 = 1): Promise<void> {
    let granted: { topic: string; qos: number }[];
    try {
      granted = await this.client.subscribeAsync(filters, { qos });
    } catch (cause) {
      throw new BrokerError(`subscribe to ${String(filters)} failed: ${(cause as Error).message}`, true, {
        cause,
      });
    }
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) {
      throw new BrokerError(`the MQTT broker refused the subscription to ${refused.join(', ')}`, false, {
        hint: 'check the broker ACL for this user',
      });
    }
  }

  async unsubscribe(filters: string | string[]): Promise<void> {
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

/** mqtt.js reports a refused CONNACK as an error with a numeric `code`; sockets use string codes. */
function describeClientError(err: Error, url: string): BrokerError {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? connackRefusal(code, url) : connectionFailure(err, url);
}

/** Connects to the broker. With waitForConnect (default) the first failure rejects with a hint. */
export async function connectBus(opts: ConnectBusOptions): Promise<MqttBus> {
  const log = opts.log.child({ component: 'mqtt' });
  if (opts.options.rejectUnauthorized === false) {
    log.warn('mqtt.insecure is on: the broker certificate is not verified');
  }
  opts.signal?.throwIfAborted();
  const client = connect(opts.url, { reconnectPeriod: 1_000, connectTimeout: 10_000, ...opts.options });
  const bus = new MqttJsBus(client, opts.url, log);
  if (opts.waitForConnect === false) return bus;

  try {
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const onError = (err: Error) => {
        cleanup();
        reject(describeClientError(err, opts.url));
      };
      // A connect timeout closes the socket without an 'error'.
      const onClose = () => {
        cleanup();
        reject(connectionFailure(new Error('connection closed before the broker answered'), opts.url));
      };
      const onAbort = () => {
        cleanup();
        reject(
          new HermesError('timeout', `gave up connecting to ${redactUrl(opts.url)}`, {
            cause: opts.signal?.reason,
          }),
        );
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } catch (e) {
    await client.endAsync(true);
    throw e;
  }
  return bus;
}
