/**
 * The runner's retained status on `{p}/runners/R/status`: `online` with its
 * profiles while connected, `offline` when it stops, and a pre-signed last
 * will saying `offline` for when it dies or loses the broker.
 *
 * The bot keeps only a status whose seq is above the last one it saw, so
 * seqs are reserved in pairs before each connection: the online message
 * takes the first and the will the second, and the will outranks the online
 * message it follows. After a lost connection the next pair is reserved and
 * the will is re-signed before mqtt.js reconnects: mqtt.js reads
 * `options.will` at every CONNECT, and the object we hand it is the one it
 * keeps, so replacing its payload takes effect on the next attempt.
 */
import type { IClientOptions } from 'mqtt';
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import type { DaemonState } from './daemon-state.js';
import { type RunnerSigner, statusMessage } from './runner-messages.js';

type Will = NonNullable<IClientOptions['will']>;

export class Presence {
  private onlineSeq = 0;
  readonly will: Will;

  constructor(
    private readonly signer: RunnerSigner,
    private readonly state: Pick<DaemonState, 'reserveStatusSeqs'>,
    private readonly profiles: () => readonly string[],
    private readonly log: Logger,
    /** runner.cwd_roots is set: announced in the status so the bot can refuse a --cwd at once. */
    private readonly acceptsCwd?: boolean,
  ) {
    const { topic } = statusMessage(signer, 0, 'offline', []);
    this.will = { topic, payload: Buffer.alloc(0), qos: 1, retain: true };
    this.reserve();
  }

  /** A new pair: the next online seq, and a will one above it. */
  private reserve(): void {
    const first = this.state.reserveStatusSeqs(2);
    this.onlineSeq = first;
    this.will.payload = Buffer.from(
      statusMessage(this.signer, first + 1, 'offline', this.profiles(), this.acceptsCwd).wire,
    );
  }

  /** Call on every connection change of the bus. */
  async connectionChanged(bus: Pick<MqttBus, 'publish'>, connected: boolean): Promise<void> {
    if (!connected) {
      this.reserve();
      return;
    }
    await this.publishOnline(bus);
  }

  async publishOnline(bus: Pick<MqttBus, 'publish'>): Promise<void> {
    const msg = statusMessage(this.signer, this.onlineSeq, 'online', this.profiles(), this.acceptsCwd);
    await bus.publish(msg.topic, msg.wire, { qos: 1, retain: true });
    this.log.info({ seq: this.onlineSeq, profiles: this.profiles() }, 'runner online');
  }

  /** A clean stop: offline with a seq above everything sent so far (the will never fires). */
  async publishOffline(bus: Pick<MqttBus, 'publish'>): Promise<void> {
    const seq = this.state.reserveStatusSeqs(1);
    const msg = statusMessage(this.signer, seq, 'offline', this.profiles(), this.acceptsCwd);
    await bus.publish(msg.topic, msg.wire, { qos: 1, retain: true });
    this.log.info({ seq }, 'runner offline');
  }
}
