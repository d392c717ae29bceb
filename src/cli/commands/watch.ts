/**
 * `hermes watch ID... [--json] [--timeout SECONDS] [--mqtt URL]`: follow jobs
 * from a shell or CI. Events are verified and replay-filtered exactly as the
 * bot does (the same pipeline, on a private copy of the jobs). Exits when
 * every job is terminal: 0 all completed, 1 any error or cancelled, 3 timeout.
 */
import { newId } from '../../clock.js';
import { HermesError } from '../../errors.js';
import type { JobRow } from '../../jobs/job.js';
import { connectBus } from '../../mqtt/bus.js';
import { buildClientOptions, resolveBrokerUrl } from '../../mqtt/options.js';
import { isTerminalEvent } from '../../protocol/schemas.js';
import { jobIdFromEventsTopic, topics } from '../../protocol/topics.js';
import { evaluateMessage } from '../../relay/pipeline.js';
import { shadowRegistry } from '../../relay/shadow-registry.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export const WATCH_EXIT = { completed: 0, failed: 1, timeout: 3 } as const;

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(
    'watch',
    ctx.args,
    { json: { type: 'boolean' }, timeout: { type: 'string' }, mqtt: { type: 'string' } },
    true,
  );
  if (positionals.length === 0) throw new HermesError('usage', 'watch: give one or more job ids');
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && (!Number.isFinite(timeoutS) || timeoutS <= 0)) {
    throw new HermesError('usage', 'watch: --timeout must be a positive number of seconds');
  }
  const config = ctx.config();
  const log = ctx.logger();
  const rows = await withRegistry(ctx, (registry) =>
    positionals.map((id) => {
      const r = registry.row(id);
      if (!r) throw new HermesError('unknown_job', `no job with id ${id}`, { hint: 'see hermes jobs list' });
      return r;
    }),
  );
  const outcome = new Map<string, 'completed' | 'error' | 'cancelled'>();
  for (const r of rows) if (r.status === 'cancelled') outcome.set(r.id, 'cancelled');
  const live: JobRow[] = rows.filter((r) => !outcome.has(r.id));
  const shadow = shadowRegistry(live, ctx.clock, ctx.random);
  const settings = {
    maxPayloadBytes: config.relay.max_payload_bytes,
    clockSkewSeconds: config.relay.clock_skew_seconds,
    replayWindow: config.relay.replay_window,
    approvalTimeoutSeconds: config.chat.approval_timeout_seconds,
  };
  const exitCode = () =>
    [...outcome.values()].every((o) => o === 'completed') ? WATCH_EXIT.completed : WATCH_EXIT.failed;
  if (live.length === 0) return exitCode();

  const url = resolveBrokerUrl(config, values.mqtt);
  const bus = await connectBus({
    url,
    log: log.child({ name: 'mqtt' }),
    signal: ctx.signal,
    options: buildClientOptions(config, { clientId: newId('hermes-watch', ctx.random) }, { url }),
  });
  const prefix = config.mqtt.topic_prefix;
  try {
    return await new Promise<number>((resolve) => {
      const timer =
        timeoutS === undefined ? undefined : setTimeout(() => resolve(WATCH_EXIT.timeout), timeoutS * 1000);
      ctx.signal.addEventListener('abort', () => resolve(WATCH_EXIT.timeout), { once: true });
      bus.onMessage((topic, payload) => {
        const jobId = jobIdFromEventsTopic(prefix, topic);
        if (!jobId || outcome.has(jobId)) return;
        const o = evaluateMessage(shadow, settings, ctx.clock, jobId, payload);
        if (o.verdict !== 'accepted' || !o.accepted) {
          if (o.reason !== 'duplicate')
            log.warn({ job_id: o.jobId, seq: o.seq, reason: o.reason, detail: o.detail }, 'event dropped');
          return;
        }
        const e = o.accepted;
        if (values.json) {
          writeJson(ctx.stdout, {
            job_id: e.jobId,
            seq: e.seq,
            event: e.event,
            timestamp: e.timestamp,
            detail: e.detail ?? null,
            data: e.data,
            verified: e.verified,
          });
        } else {
          writeLine(
            ctx.stdout,
            `${e.timestamp} ${e.jobId} #${e.seq} ${e.event}${e.detail ? `: ${e.detail}` : ''}${e.verified ? '' : ' [unverified]'}`,
          );
        }
        if (isTerminalEvent(e.event)) {
          outcome.set(e.jobId, e.event as 'completed' | 'error');
          if (outcome.size === rows.length) {
            if (timer) clearTimeout(timer);
            resolve(exitCode());
          }
        }
      });
      bus
        .subscribe(
          live.map((r) => topics.jobEvents(prefix, r.id)),
          1,
        )
        .catch((err: unknown) => {
          log.error({ err }, 'subscribe failed');
          resolve(WATCH_EXIT.failed);
        });
    });
  } finally {
    await bus.close();
    shadow.db.close();
  }
}
