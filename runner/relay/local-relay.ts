/**
 * The runner's local relay for agents (DESIGN.md, "Agents and tmux"): a 0600
 * Unix socket where `hermes publish` / `hermes ask` hand over events signed
 * on the agent side and wait for decisions. Events are committed to a SQLite
 * outbox before the agent is acknowledged and forwarded in order over the
 * runner's one persistent QoS 1 connection, so a broker outage or a runner
 * restart loses nothing and no agent pays a connect handshake.
 *
 * @example
 *   const relay = await startLocalRelay({ socketPath: join(home, 'runner.sock'), home, bus, prefix,
 *     log, clock, maxPayloadBytes: config.relay.max_payload_bytes,
 *     onEvent: (job, event) => store.recordEvent(job, event) });
 *   // sessions get HERMES_RUNNER_SOCKET=<socketPath>
 *   await relay.close();
 */
import { HermesError, isHermesError } from '../../src/errors.js';
import { type Connection, startSocketServer } from '../../src/ipc/line-socket-server.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';
import { allocateSeq, seqDir } from '../agent/seq-allocator.js';
import { autoTraceEntry } from './auto-trace.js';
import { DecisionWaiters } from './decision-waiters.js';
import { Forwarder } from './forwarder.js';
import { Outbox } from './outbox.js';
import { OUTBOX_MIGRATIONS, outboxDbPath } from './outbox-schema.js';
import { checkPublish, decisionFits, parseRequest, type RelayRequest } from './relay-requests.js';
import type { LocalRelay, LocalRelayOptions } from './relay-types.js';

export type { LocalRelay, LocalRelayOptions } from './relay-types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** How long close() lets the publish in flight finish. */
const CLOSE_GRACE_MS = 2_000;

type Reply = { ok: true; wire?: string; seq?: number } | { ok: false; error: string };

export async function startLocalRelay(opts: LocalRelayOptions): Promise<LocalRelay> {
  const log = opts.log.child({ component: 'local-relay' });
  const ownDb = opts.db === undefined;
  const db = opts.db ?? openDatabase(outboxDbPath(opts.home), { log, journal: opts.journal ?? 'auto' });
  migrate(db, OUTBOX_MIGRATIONS);
  const outbox = new Outbox(db);
  const retention = opts.sentRetentionMs ?? DAY_MS;
  const prune = () => {
    const n = outbox.pruneSent(opts.clock.now() - retention);
    if (n > 0) log.debug({ rows: n }, 'pruned sent outbox rows');
  };
  prune();

  const forwarder = new Forwarder({ outbox, bus: opts.bus, log, clock: opts.clock });
  const waiters = new DecisionWaiters({
    bus: opts.bus,
    prefix: opts.prefix,
    log,
    fits: (payload, jobId, requestId) => {
      let token: string | null | undefined;
      try {
        token = opts.jobToken?.(jobId);
      } catch {
        // The job's token is gone meanwhile (its session ended): nothing can be checked, nothing handed out.
        return false;
      }
      return decisionFits(payload, { jobId, requestId, token, maxBytes: opts.maxPayloadBytes });
    },
  });

  const nextSeq = opts.nextSeq ?? ((jobId, floor) => allocateSeq(seqDir(opts.home, jobId), floor));

  const handle = async (req: RelayRequest, conn: Connection): Promise<Reply> => {
    // Both callbacks may throw a HermesError instead: its message is the refusal the agent gets.
    if (opts.jobAllowed && !opts.jobAllowed(req.job_id))
      return { ok: false, error: `unknown job ${req.job_id}` };
    if (req.op === 'next_seq') return { ok: true, seq: nextSeq(req.job_id, req.floor ?? 1) };
    const token = opts.jobToken?.(req.job_id);
    if (req.op === 'await_decision')
      return waiters.wait(req.job_id, req.request_id, req.timeout_ms, conn.onGone);
    const entry =
      req.op === 'auto_decision'
        ? autoTraceEntry(req, {
            nextSeq: (jobId) => nextSeq(jobId, 1),
            prefix: opts.prefix,
            token,
            clock: opts.clock,
            maxPayloadBytes: opts.maxPayloadBytes,
          })
        : checkPublish(req, { prefix: opts.prefix, maxPayloadBytes: opts.maxPayloadBytes, token });
    const added = outbox.add(entry, opts.clock.now());
    if (added === 'added') {
      forwarder.kick();
      try {
        opts.onEvent?.(entry.jobId, entry.event, entry.seq);
      } catch (err) {
        log.error({ err, jobId: entry.jobId, seq: entry.seq }, 'onEvent handler failed');
      }
    } else log.debug({ jobId: entry.jobId, seq: entry.seq }, 'duplicate event acknowledged again');
    return req.op === 'auto_decision' ? { ok: true, seq: entry.seq } : { ok: true };
  };

  // The wire may be up to maxPayloadBytes; as a JSON string inside the request it can at most
  // double (every `"` and `\` escaped: the canonical wire is ASCII), plus the other fields.
  const maxLineBytes = 2 * opts.maxPayloadBytes + 4096;
  let server: Awaited<ReturnType<typeof startSocketServer>>;
  try {
    server = await startSocketServer({
      path: opts.socketPath,
      log,
      maxLineBytes,
      handler: async (line, conn) => {
        try {
          return await handle(parseRequest(line), conn);
        } catch (e) {
          if (!isHermesError(e)) throw e;
          log.info({ code: e.code, err: e.message }, 'runner socket request refused');
          return { ok: false, error: e.message };
        }
      },
    });
  } catch (e) {
    waiters.close('relay did not start');
    await forwarder.stop(0);
    if (ownDb) db.close();
    throw e;
  }
  forwarder.kick();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();
  log.info({ socket: opts.socketPath, pending: outbox.pendingCount() }, 'local relay listening');

  let closing: Promise<void> | undefined;
  /** What pending() reports once the database is closed. */
  let pendingAtClose: number | undefined;
  return {
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        waiters.close('runner is shutting down');
        await server.close();
        await forwarder.stop(CLOSE_GRACE_MS);
        pendingAtClose = outbox.pendingCount();
        if (ownDb) db.close();
        log.info('local relay closed');
      })();
      return closing;
    },
    async flush(timeoutMs?: number) {
      if (closing) throw new HermesError('timeout', 'the local relay is closed');
      forwarder.kick();
      const idle = forwarder.whenIdle();
      if (timeoutMs === undefined) return idle;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new HermesError(
                'timeout',
                `${outbox.pendingCount()} outbox events still unsent after ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([idle, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    pending: () => pendingAtClose ?? outbox.pendingCount(),
    resend(jobId, from, to) {
      if (closing) return 0;
      const n = outbox.requeue(jobId, from, to);
      if (n > 0) forwarder.kick();
      log.info({ job: jobId, from, to, rows: n }, 'events queued again for the bot');
      return n;
    },
    waiting: () => waiters.waiting,
  };
}
