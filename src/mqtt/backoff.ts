/**
 * Retrying a broker operation with exponential backoff and full jitter until a deadline: each wait
 * is uniform in [0, min(max, base * 2^n)), so clients refused together (a cluster node lost, its
 * subscriptions moving) do not all come back in the same instant.
 */
import { type Clock, type Random, systemClock } from '../clock.js';
import { HermesError } from '../errors.js';
import { BrokerError } from './broker-errors.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface BackoffOptions {
  /** Total time to keep trying, from the first attempt. Infinity: until the signal aborts. */
  deadlineMs: number;
  random: Random;
  clock?: Clock;
  sleep?: Sleep;
  signal?: AbortSignal;
  /** First backoff ceiling; doubles per attempt up to maxDelayMs. Defaults 200 and 5000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Default: a BrokerError that says it is retryable. */
  retryable?: (e: unknown) => boolean;
  /** Called before each wait, e.g. to log "subscription refused, retrying in N ms". */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const aborted = (signal?: AbortSignal) =>
  new HermesError('timeout', 'gave up: cancelled', { cause: signal?.reason });

const isRetryableBrokerError = (e: unknown) => e instanceof BrokerError && e.retryable;

/**
 * Runs `attempt` until it resolves. A failure that is not retryable is thrown at once; the last
 * retryable failure is thrown once the deadline has passed (or the signal aborts).
 */
export async function withBackoff<T>(attempt: (n: number) => Promise<T>, o: BackoffOptions): Promise<T> {
  const clock = o.clock ?? systemClock;
  const sleep = o.sleep ?? realSleep;
  const base = o.baseDelayMs ?? 200;
  const max = o.maxDelayMs ?? 5_000;
  const retryable = o.retryable ?? isRetryableBrokerError;
  const started = clock.now();
  const left = () => o.deadlineMs - (clock.now() - started);
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!retryable(e) || left() <= 0 || o.signal?.aborted) throw e;
      const ceiling = Math.min(max, base * 2 ** Math.min(n - 1, 30));
      const delayMs = Math.max(1, Math.min(left(), Math.floor(o.random.float() * ceiling)));
      o.onRetry?.({ attempt: n, delayMs, error: e });
      try {
        await sleep(delayMs, o.signal);
      } catch {
        throw e;
      }
    }
  }
}
