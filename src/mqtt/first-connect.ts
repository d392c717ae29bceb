/**
 * Waiting for a new client's first CONNACK. With one endpoint the first failure is the answer;
 * with a list, a retryable failure moves on to the next endpoint (mqtt.js reconnects there after
 * reconnectPeriod) and only every endpoint failing once rejects. A refusal that retrying cannot
 * heal (bad credentials, bad certificate) rejects at once.
 */
import type { MqttClient } from 'mqtt';
import { HermesError } from '../errors.js';
import { type BrokerError, connackRefusal, connectionFailure, redactUrl } from './broker-errors.js';

/** mqtt.js reports a refused CONNACK as an error with a numeric `code`; sockets use string codes. */
export function describeClientError(err: Error, url: string): BrokerError {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? connackRefusal(code, url) : connectionFailure(err, url);
}

export function waitForFirstConnect(
  client: MqttClient,
  url: string,
  endpoints: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failures = 0;
    let last: BrokerError | undefined;
    const cleanup = () => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onConnect = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      last = describeClientError(err, url);
      if (endpoints <= 1 || !last.retryable) fail(last);
    };
    // Every failed attempt ends in 'close'; a connect timeout closes the socket without an 'error'.
    const onClose = () => {
      failures++;
      if (failures < endpoints) return;
      fail(last ?? connectionFailure(new Error('connection closed before the broker answered'), url));
    };
    const onAbort = () =>
      fail(new HermesError('timeout', `gave up connecting to ${redactUrl(url)}`, { cause: signal?.reason }));
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
