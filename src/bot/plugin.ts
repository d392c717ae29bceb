/**
 * The plugin interface of the bot (the port chat adapters and the dispatcher implement): what a
 * running bot hands to whatever attaches to it. Adapters import this, never run-bot.ts, which
 * wires the process.
 */
import type { Clock, Random } from '../clock.js';
import type { Config } from '../config/load.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { MqttBus } from '../mqtt/bus.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import type { Db } from '../store/sqlite.js';
import type { BotCore } from './bot-core.js';
import type { RunnerControl } from './runner-control.js';

/** Something that attaches to a running bot (a chat adapter, the dispatcher) and can be detached. */
export type BotPlugin = (ctx: BotContext) => Promise<() => Promise<void>>;

export interface BotContext {
  core: BotCore;
  /** Runners as the chat core sees them: list, cancel, peek, kick dispatch. */
  runners: RunnerControl;
  registry: JobRegistry;
  db: Db;
  bus: MqttBus;
  config: Config;
  clock: Clock;
  random: Random;
  log: Logger;
  /** Schedules (src/schedules/): chat adapters serve `/hermes schedule` with it. Absent in some tests. */
  schedules?: ScheduleService;
}
