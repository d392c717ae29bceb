/**
 * Wiring of the `hermes bot` process: database, lease, audit log, broker
 * session, relay and decisions, plus whatever attaches to it (chat adapters,
 * the runner dispatcher). Returns a handle whose stop() undoes it all.
 */

import { type Clock, isoTime, type Random } from '../clock.js';
import type { Config } from '../config/load.js';
import { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { connectBus } from '../mqtt/bus.js';
import { buildClientOptions, persistentClientId, resolveBrokerUrl } from '../mqtt/options.js';
import { auditPath, openAuditLog } from '../relay/audit.js';
import { type CronPort, nodeCronPort } from '../schedules/cron-port.js';
import { ScheduleService } from '../schedules/schedule-service.js';
import { ScheduleStore } from '../schedules/schedule-store.js';
import { openBotDb } from '../store/bot-db.js';
import { acquireLease } from '../store/lease.js';
import { DECISION_AUDIT_FILE } from './auto-approve.js';
import { BotCore } from './bot-core.js';
import { botSocketPath, removeBotAddress, writeBotAddress } from './control/bot-address.js';
import { startControlServer } from './control/control-server.js';
import { CONTROL_HANDLERS } from './control/handlers.js';
import { Dispatcher } from './dispatcher.js';
import { GapWatch } from './gap-watch.js';
import type { BotContext, BotPlugin } from './plugin.js';
import { RunnersStore } from './runners-store.js';

export interface RunBotOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  random: Random;
  brokerUrl?: string;
  plugins?: BotPlugin[];
  /** How often expiry and the decision outbox are checked. */
  tickMs?: number;
  /**
   * The control socket and $HERMES_HOME/bot.json, through which CLI commands on this home find
   * the bot (its broker) and send it state changes. `process` names the command (`hermes up`).
   * Default on; false leaves both out.
   */
  control?: { process: string } | false;
  /** The cron schedules run on (tests: one that fires when told). Default node-cron. */
  cron?: CronPort;
}

export interface RunningBot extends BotContext {
  stop(): Promise<void>;
}

/** The control socket and bot.json; without them (a socket path too long, say) the CLI uses the database alone. */
async function openControl(
  ctx: BotContext,
  brokerUrl: string,
  processName: string,
  cleanups: Array<() => Promise<void> | void>,
): Promise<void> {
  const { config, log, clock } = ctx;
  const path = botSocketPath(config.home);
  try {
    const server = await startControlServer(ctx, CONTROL_HANDLERS, path);
    cleanups.push(() => server.close());
    writeBotAddress(config.home, {
      pid: process.pid,
      broker_url: brokerUrl,
      socket: path,
      started_at: isoTime(clock.now()),
      process: processName,
    });
    cleanups.push(() => removeBotAddress(config.home, process.pid));
  } catch (err) {
    log.warn({ err, path }, 'no control socket: CLI commands on this home will work on the database alone');
  }
}

export async function startBot(opts: RunBotOptions): Promise<RunningBot> {
  const { config, log, clock, random } = opts;
  const db = openBotDb(config, log);
  const cleanups: Array<() => Promise<void> | void> = [
    () => {
      db.close();
    },
  ];
  const undo = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, 'error while stopping');
      }
    }
  };
  try {
    const lease = acquireLease(db, 'bot', clock);
    cleanups.push(() => lease.release());
    const audit = openAuditLog(auditPath(config.home));
    cleanups.push(() => audit.close());
    // The chat audit log; chat adapters append to it through their own descriptor (O_APPEND).
    const decisionAudit = openAuditLog(auditPath(config.home, DECISION_AUDIT_FILE));
    cleanups.push(() => decisionAudit.close());
    const registry = new JobRegistry(db, clock, random);
    const url = resolveBrokerUrl(config, opts.brokerUrl);
    const bus = await connectBus({
      url,
      log: log.child({ name: 'mqtt' }),
      options: buildClientOptions(
        config,
        { clientId: persistentClientId(config.mqtt, 'bot'), clean: false },
        { url },
      ),
    });
    cleanups.push(() => bus.close());
    const core = new BotCore({ config, registry, bus, clock, log, audit, decisionAudit });
    cleanups.push(() => core.stop());
    const dispatcher = new Dispatcher({
      registry,
      runners: new RunnersStore(db, clock),
      bus,
      prefix: config.mqtt.topic_prefix,
      clock,
      random,
      log: log.child({ name: 'dispatcher' }),
      maxPayloadBytes: config.relay.max_payload_bytes,
      approvals: config.approvals,
    });
    cleanups.push(() => dispatcher.stop());
    const gaps =
      config.relay.gap_grace_seconds > 0
        ? new GapWatch({
            db,
            clock,
            log: log.child({ name: 'gaps' }),
            audit,
            resend: (jobId, from, to) => dispatcher.requestResend(jobId, from, to),
            onUnrepaired: (gap) => core.relay.reportGap(gap),
            graceMs: config.relay.gap_grace_seconds * 1000,
          })
        : undefined;
    // Schedules (src/schedules/): jobs registered on cron times, missed ones caught up once. Made
    // before the plugins (chat serves `/hermes schedule` with it), started after them, so what a
    // catch-up run says reaches the chat that listens.
    const schedules = new ScheduleService({
      store: new ScheduleStore(db, clock, random),
      registry,
      cron: opts.cron ?? nodeCronPort,
      clock,
      log: log.child({ name: 'schedules' }),
      timeZone: config.schedule.time_zone,
      catchUpSeconds: config.schedule.catch_up_seconds,
      kick: () => dispatcher.kick(),
    });
    const ctx: BotContext = {
      core,
      runners: dispatcher,
      registry,
      db,
      bus,
      config,
      clock,
      random,
      log,
      schedules,
    };
    // The relay takes what the broker hands over before any plugin starts: a persistent session's
    // backlog arrives right after CONNACK and is acknowledged at once, so holding it in memory
    // while a chat adapter connects (seconds) would lose it if that fails or the process dies.
    // Chat adapters post what was accepted before they attached (owed events) when they attach.
    await core.start();
    for (const plugin of opts.plugins ?? []) cleanups.push(await plugin(ctx));
    await dispatcher.start();
    schedules.start();
    cleanups.push(() => schedules.stop());
    if (opts.control !== false) {
      await openControl(ctx, url, opts.control?.process ?? 'hermes bot', cleanups);
    }
    const timer = setInterval(() => {
      lease.renew();
      try {
        schedules.tick();
      } catch (err) {
        log.error({ err }, 'schedule pass failed');
      }
      core.tick().catch((err: unknown) => log.error({ err }, 'bot housekeeping failed'));
      dispatcher.dispatchPending().catch((err: unknown) => log.error({ err }, 'dispatch pass failed'));
      gaps?.scan().catch((err: unknown) => log.error({ err }, 'gap scan failed'));
    }, opts.tickMs ?? 5000);
    cleanups.push(() => clearInterval(timer));
    log.info({ broker: url.replace(/\/\/[^@/]*@/, '//***@'), home: config.home }, 'bot running');
    return { ...ctx, stop: undo };
  } catch (e) {
    await undo();
    throw e;
  }
}
