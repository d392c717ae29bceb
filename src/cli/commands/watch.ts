/**
 * `hermes watch ID... [--json] [--since-start | --no-history] [--timeout SECONDS] [--mqtt URL]`:
 * follow jobs from a shell or CI. First what the bot stored of each job (from its first event,
 * `--since-start`, the default; `--no-history` skips it, watch-history.ts), then live events,
 * verified and replay-filtered exactly as the bot does (the same pipeline, on a private copy of
 * the jobs seeded with what the bot has stored). Exits when every job has ended: 0 all
 * completed, 1 any error or cancelled, 3 timeout (said on stderr, with the jobs still open) or
 * interrupted.
 *
 * A job can end without an event on the wire: cancelled, or ended in error by
 * the bot (a runner rejected its start). The bot's database says so, so it is
 * read at start and checked while watching.
 *
 * The database is only read (opened read-only, never created or migrated). A job it does not
 * hold (missing file, another schema version, an id from another bot host or a typo) is refused
 * with exit 2: without the job's token nothing could be verified, and a CI step that trusts
 * `watch`'s exit 0 must not be ended by anyone who can publish on the broker.
 */
import { newId } from '../../clock.js';
import { HermesError } from '../../errors.js';
import type { JobRow } from '../../jobs/job.js';
import { JobRegistry } from '../../jobs/registry.js';
import { isTerminalState } from '../../jobs/states.js';
import { connectBus } from '../../mqtt/bus.js';
import { buildClientOptions } from '../../mqtt/options.js';
import { isTerminalEvent } from '../../protocol/schemas.js';
import { jobIdFromEventsTopic, topics } from '../../protocol/topics.js';
import { EMPTY_PAYLOAD, evaluateMessage, type RelaySettings } from '../../relay/pipeline.js';
import { shadowRegistry } from '../../relay/shadow-registry.js';
import { openBotDbReadOnly } from '../../store/bot-db.js';
import type { Db } from '../../store/sqlite.js';
import { cliBrokerUrl } from '../broker-url.js';
import { type CommandContext, writeLine } from '../context.js';
import { markShown, printStored, type Shown } from './watch-history.js';
import { watchOptions } from './watch-options.js';
import { printEnded, printEvent } from './watch-print.js';

export const WATCH_EXIT = { completed: 0, failed: 1, timeout: 3 } as const;

/**
 * How often the database is checked for jobs that ended without an event. A check costs one
 * PRAGMA data_version unless another connection committed since the last one.
 */
export const DB_POLL_MS = 250;

type Ending = 'completed' | 'error' | 'cancelled';

interface Watch {
  ctx: CommandContext;
  json: boolean;
  /** The bot's database, opened read-only; none when missing, at another schema, or unreadable. */
  db: Db | undefined;
  /** The bot's view of the jobs: read, never written. */
  jobs: JobRegistry | undefined;
  outcome: Map<string, Ending>;
  total: number;
  /** Print the stored events first (and catch up once subscribed); off with --no-history. */
  history: boolean;
  shown: Shown;
}

const exitCode = (w: Watch): number =>
  [...w.outcome.values()].every((o) => o === 'completed') ? WATCH_EXIT.completed : WATCH_EXIT.failed;

export async function run(ctx: CommandContext): Promise<number> {
  const { ids, json, history, timeoutS, mqtt, settings } = watchOptions(ctx);
  const config = ctx.config();
  // Read-only: watch never creates, migrates or writes the bot's database (a newer CLI must not
  // migrate a live older bot's file). Without a usable one, the jobs cannot be verified: refused.
  const local = openBotDbReadOnly(config, ctx.logger());
  if (!local.db && local.why !== 'missing') {
    writeLine(ctx.stderr, `hermes watch: warning: ${local.detail}; not using it`);
  }
  const db = local.db;
  try {
    const w: Watch = {
      ctx,
      json,
      db,
      jobs: db && new JobRegistry(db, ctx.clock, ctx.random),
      outcome: new Map(),
      total: ids.length,
      history,
      shown: new Map(),
    };
    const unknown = ids.filter((id) => !w.jobs?.row(id));
    if (!db || unknown.length > 0) {
      const where = db
        ? `not in ${local.file}`
        : local.why === 'missing'
          ? `not known here (no ${local.file})`
          : 'not known here (the bot database is not used)';
      throw new HermesError(
        'usage',
        `watch: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} ${where}; watch verifies events with each job's token from the bot's database`,
        { hint: "run it on the bot host, with the bot's HERMES_HOME" },
      );
    }
    // One read transaction, so the jobs and the events seeding the replay filter agree.
    const { live, shadow } = db.transaction(() => {
      const rows = ids.map((id) => w.jobs!.row(id)!);
      for (const row of rows) {
        const terminal = w.history ? printStored(ctx.stdout, w.json, db, row.id, w.shown) : undefined;
        if (isTerminalState(row.status)) ended(w, db, row, terminal !== undefined);
      }
      const live = rows.filter((row) => !w.outcome.has(row.id));
      return { live, shadow: shadowRegistry(live, ctx.clock, ctx.random, db) };
    })();
    try {
      if (live.length === 0) return exitCode(w);
      return await follow(w, live, shadow, settings, timeoutS, mqtt);
    } finally {
      shadow.db.close();
    }
  } finally {
    db?.close();
  }
}

/** The job ended in the database; `shownEnd`: its terminal event is printed already (history). */
function ended(w: Watch, db: Db, row: JobRow, shownEnd = false): void {
  // A cancelled job's line says who cancelled it, which no event does.
  if (!shownEnd || row.status === 'cancelled') printEnded(w.ctx.stdout, w.json, db, row);
  w.outcome.set(row.id, row.status as Ending);
}

/** `timed out after 5 s; not ended: j-1`: why a watch stops without its jobs ending. */
function stopLine(w: Watch, live: JobRow[], why: string): string {
  const open = live.filter((r) => !w.outcome.has(r.id)).map((r) => r.id);
  return `hermes watch: ${why}${open.length ? `; not ended: ${open.join(', ')}` : ''}`;
}

async function follow(
  w: Watch,
  live: JobRow[],
  shadow: JobRegistry,
  settings: RelaySettings,
  timeoutS: number | undefined,
  mqttFlag: string | undefined,
): Promise<number> {
  const { ctx } = w;
  const config = ctx.config();
  const log = ctx.logger();
  const { url } = cliBrokerUrl(ctx, mqttFlag);
  const bus = await connectBus({
    url,
    log: log.child({ name: 'mqtt' }),
    signal: ctx.signal,
    options: buildClientOptions(config, { clientId: newId('hermes-watch', ctx.random) }, { url }),
  });
  const prefix = config.mqtt.topic_prefix;
  let timer: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve) => {
      const finish = (code: number) => {
        clearTimeout(timer);
        clearInterval(poller);
        resolve(code);
      };
      const done = () => {
        if (w.outcome.size === w.total) finish(exitCode(w));
      };
      const stop = (why: string) => {
        writeLine(ctx.stderr, stopLine(w, live, why));
        finish(WATCH_EXIT.timeout);
      };
      if (timeoutS !== undefined)
        timer = setTimeout(() => stop(`timed out after ${timeoutS} s`), timeoutS * 1000);
      ctx.signal.addEventListener('abort', () => stop('interrupted'), { once: true });

      let version: unknown;
      const poll = () => {
        const { db, jobs } = w;
        if (!db || !jobs) return;
        try {
          const v = db.pragma('data_version', { simple: true });
          if (v === version) return;
          version = v;
          for (const r of live) {
            if (w.outcome.has(r.id)) continue;
            const now = jobs.row(r.id);
            if (now && isTerminalState(now.status)) {
              // What the bot stored that did not come by the broker is shown before the end.
              const terminal = w.history ? printStored(ctx.stdout, w.json, db, r.id, w.shown) : undefined;
              ended(w, db, now, terminal !== undefined);
            }
          }
          done();
        } catch (err) {
          log.warn({ err }, 'could not read the job database; trying again');
        }
      };
      if (w.db && live.length > 0) {
        poll();
        poller = setInterval(poll, DB_POLL_MS);
      }

      bus.onMessage((topic, payload) => {
        const jobId = jobIdFromEventsTopic(prefix, topic);
        if (!jobId || w.outcome.has(jobId)) return;
        const o = evaluateMessage(shadow, settings, ctx.clock, jobId, payload);
        if (o.verdict !== 'accepted' || !o.accepted) {
          // A plain redelivery is normal MQTT behaviour, and a cleared retained message (an ended
          // job's, after its linger) is housekeeping: not news. Everything else is said once, plainly.
          const quiet = (o.reason === 'duplicate' && !o.conflict) || o.detail === EMPTY_PAYLOAD;
          if (!quiet) {
            const what = `${o.jobId ?? jobId}${o.seq === undefined ? '' : ` #${o.seq}`}`;
            writeLine(ctx.stderr, `hermes watch: dropped ${what}: ${o.reason} (${o.detail})`);
          }
          return;
        }
        const e = o.accepted;
        // Shown already from the bot's database (history, or the catch-up after subscribing).
        if (!markShown(w.shown, e.jobId, e.seq)) return;
        printEvent(ctx.stdout, w.json, e);
        if (isTerminalEvent(e.event)) {
          w.outcome.set(e.jobId, e.event as Ending);
          done();
        }
      });
      bus
        .subscribe(
          live.map((r) => topics.jobEvents(prefix, r.id)),
          1,
        )
        .then(() => {
          // Stored between the first read and the subscription: shown once, oldest first.
          if (!w.history || !w.db) return;
          try {
            for (const r of live) {
              if (w.outcome.has(r.id)) continue;
              const terminal = printStored(ctx.stdout, w.json, w.db, r.id, w.shown);
              if (terminal) w.outcome.set(r.id, terminal);
            }
          } catch (err) {
            log.warn({ err }, 'could not read the job database to catch up; live events only');
          }
          done();
        })
        .catch((err: unknown) => {
          writeLine(ctx.stderr, `hermes watch: subscribe failed: ${(err as Error).message}`);
          finish(WATCH_EXIT.failed);
        });
    });
  } finally {
    clearTimeout(timer);
    clearInterval(poller);
    await bus.close();
  }
}
