/**
 * The bot follows each paired runner's exact status topic, besides the wildcard: some brokers
 * (RabbitMQ's MQTT plugin) never hand a retained message to a wildcard subscription, so a runner
 * whose retained `online` was published before the bot subscribed would stay `unknown`. Runners
 * paired later (`hermes runners add` in another process) are picked up by the next sync.
 */
import type { Logger } from '../log.js';
import type { MqttBus } from '../mqtt/bus.js';
import { topics } from '../protocol/topics.js';

export interface StatusSubscriptionDeps {
  bus: Pick<MqttBus, 'subscribe'>;
  prefix: string;
  /** Ids of the paired runners. */
  runnerIds: () => string[];
  log: Logger;
}

export class RunnerStatusSubscriptions {
  private readonly followed = new Set<string>();

  constructor(private readonly deps: StatusSubscriptionDeps) {}

  /** Subscribes the status topic of every paired runner not followed yet; a failure is tried again next time. */
  async sync(): Promise<void> {
    const fresh = this.deps.runnerIds().filter((id) => !this.followed.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) this.followed.add(id);
    try {
      await this.deps.bus.subscribe(
        fresh.map((id) => topics.runnerStatus(this.deps.prefix, id)),
        1,
      );
    } catch (err) {
      for (const id of fresh) this.followed.delete(id);
      this.deps.log.warn({ err, runners: fresh }, 'cannot subscribe to runner status; trying again later');
    }
  }
}
