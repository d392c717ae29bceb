/**
 * Moves outbox rows to the broker, one at a time in acceptance order, over
 * the runner's persistent connection. One publish in flight keeps the order
 * strict even across reconnects (mqtt.js holds an unacknowledged QoS 1
 * publish and sends it again after reconnecting) and costs one local round
 * trip per event, far below what agents produce.
 *
 * A row is marked sent only on PUBACK, so a runner crash re-sends at most
 * the one row that was in flight (QoS 1: at least once; the bot drops the
 * repeat as a duplicate of the same seq). A publish the broker refuses
 * while connected (an ACL, say) is retried with backoff and, after
 * `maxAttempts`, set aside as failed and logged, so one poisoned event
 * cannot hold back every later one.
 */
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { type MqttBus, RETAINED_EXPIRY_SECONDS } from '../../src/mqtt/bus.js';
import type { Outbox, OutboxRow } from './outbox.js';

export interface ForwarderOptions {
  outbox: Outbox;
  bus: MqttBus;
  log: Logger;
  clock: Clock;
  /** Refusals of one row (while connected) before it is set aside. Default 10. */
  maxAttempts?: number;
  /** First retry delay after a refusal; doubles up to 30 s. Default 1 s. */
  retryBaseMs?: number;
}

const BATCH = 64;
const MAX_RETRY_MS = 30_000;

export class Forwarder {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters = new Set<() => void>();
  private readonly offConnection: () => void;

  constructor(private readonly opts: ForwarderOptions) {
    // A reconnect is the moment to try again after a refusal or a failed close.
    this.offConnection = opts.bus.onConnectionChange((up) => {
      if (up) this.kick();
    });
  }

  /** Start (or continue) forwarding; safe to call any number of times. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      } else if (this.opts.outbox.pendingCount() === 0) {
        for (const done of this.idleWaiters) done();
      }
    });
  }

  /** Resolves when nothing is pending (now or later). */
  whenIdle(): Promise<void> {
    if (!this.running && this.opts.outbox.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idleWaiters.delete(done);
        resolve();
      };
      this.idleWaiters.add(done);
    });
  }

  /** Stops after the publish in flight (which stays pending in the outbox if not acknowledged). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.offConnection();
    clearTimeout(this.retryTimer);
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = this.opts.outbox.nextPending(BATCH);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (this.stopped) return;
        if (!(await this.forward(row))) return;
      }
    }
  }

  /** True when the row is done with (sent or set aside); false to pause until a retry. */
  private async forward(row: OutboxRow): Promise<boolean> {
    const { bus, outbox, log, clock } = this.opts;
    try {
      await bus.publish(row.topic, row.wire, {
        qos: 1,
        retain: row.retain,
        ...(row.retain ? { expirySeconds: RETAINED_EXPIRY_SECONDS } : {}),
      });
    } catch (err) {
      if (this.stopped) return false;
      const message = (err as Error).message;
      if (!bus.connected) {
        // Lost the connection (or closing): the reconnect kicks us again; not the row's fault.
        log.debug({ jobId: row.jobId, seq: row.seq, err: message }, 'outbox publish interrupted');
        return false;
      }
      const attempts = outbox.noteFailure(row.id, message);
      const max = this.opts.maxAttempts ?? 10;
      if (attempts >= max) {
        outbox.markFailed(row.id);
        log.error(
          { jobId: row.jobId, seq: row.seq, event: row.event, attempts, err: message },
          'the broker keeps refusing this event; it is set aside (outbox state failed) and later events go on',
        );
        return true;
      }
      const delay = Math.min(MAX_RETRY_MS, (this.opts.retryBaseMs ?? 1000) * 2 ** (attempts - 1));
      log.warn(
        { jobId: row.jobId, seq: row.seq, attempts, retryInMs: delay, err: message },
        'the broker refused an outbox event; retrying',
      );
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.kick(), delay);
      this.retryTimer.unref();
      return false;
    }
    outbox.markSent(row.id, clock.now());
    log.debug({ jobId: row.jobId, seq: row.seq, event: row.event }, 'outbox event delivered');
    return true;
  }
}
