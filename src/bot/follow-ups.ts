/**
 * What the bot still owes runners, done on every dispatch pass (the bot's tick and whenever a
 * runner comes online), from what the command ledger recorded:
 *
 * - the cancel of a job that was dispatched and then cancelled, wherever that happened: chat and
 *   Dispatcher.cancel send it at once, `hermes jobs cancel` (another process) sends nothing, and a
 *   failed publish must not leave the agent running. Sent again, less and less often, while the
 *   runner is online and has not answered; given up after `maxCancelAttempts` sends or
 *   `cancelGiveUpMs` whatever the runner's state, and at once when the runner is no longer paired.
 * - the start of a job still `dispatched` that no runner answered: sent again likewise. The
 *   runner refuses a start for a job it already has without touching it (runner/daemon/start-job.ts),
 *   so a start sent twice runs once; that refusal is taken as the answer, not as a failure.
 *   After `maxStartAttempts` sends the job ends in error, so it does not wait forever; as the
 *   runner may run it all the same (its answer lost), that job owes the runner a cancel.
 * - the cancel of a job already over whose start a runner accepts (late, or after the bot gave up).
 *
 * One job that cannot be sent does not stop the pass: the others are still tried.
 *
 * It also reads the runners' answers to starts and cancels.
 */
import type { Clock } from '../clock.js';
import type { Job } from '../jobs/job.js';
import type { JobRegistry } from '../jobs/registry.js';
import { isTerminalState } from '../jobs/states.js';
import type { Logger } from '../log.js';
import type { RunnerResultEnvelope } from '../protocol/schemas.js';
import { immediate, prepared } from '../store/sqlite.js';
import { type CommandLedger, isDue, type OwedCommand } from './command-ledger.js';

export interface FollowUpSettings {
  /** Wait before the first re-send; it doubles after each. */
  startResendMs: number;
  maxStartAttempts: number;
  cancelResendMs: number;
  maxCancelAttempts: number;
  /** A cancel owed this long is given up, whether or not its runner ever came back online. */
  cancelGiveUpMs: number;
}

export const DEFAULT_FOLLOW_UPS: FollowUpSettings = {
  startResendMs: 60_000,
  maxStartAttempts: 5,
  cancelResendMs: 60_000,
  maxCancelAttempts: 5,
  cancelGiveUpMs: 24 * 3600_000,
};

/** Publishes a signed command to the job's runner; rejects when the runner is not paired or the publish fails. */
export type SendCommand = (
  runnerId: string,
  command: 'start' | 'cancel',
  jobId: string,
  data: Record<string, unknown>,
  token?: string | null,
) => Promise<void>;

/** The runner's words for a start of a job it already has (runner/daemon/start-job.ts). */
const ALREADY_STARTED = /^job \S+ was already started on runner /;

/** Cancels handled per pass (all of them actionable now): many owed at once must not send one burst. */
const CANCEL_BATCH = 20;

export function startData(job: Job): Record<string, unknown> {
  return {
    profile: job.profile,
    prompt: job.prompt,
    ...(job.cwd ? { cwd: job.cwd } : {}),
    ...(job.maxCostUsd !== null ? { max_cost_usd: job.maxCostUsd } : {}),
    ...(job.repo ? { repo: job.repo } : {}),
  };
}

export class FollowUps {
  constructor(
    private readonly deps: {
      registry: JobRegistry;
      ledger: CommandLedger;
      send: SendCommand;
      /** Ids of the runners online now. */
      onlineRunners: () => string[];
      clock: Clock;
      log: Logger;
      settings: FollowUpSettings;
    },
  ) {}

  /** Sends the cancel of a cancelled job now; false when it did not go out (the next pass retries). */
  async sendCancel(job: Pick<Job, 'id' | 'runner' | 'dispatchedAt'>): Promise<boolean> {
    const { ledger, send, log, settings } = this.deps;
    if (!job.dispatchedAt) return true; // never handed to a runner: nothing runs
    ledger.cancelSending(job.id, settings.cancelResendMs);
    try {
      await send(job.runner, 'cancel', job.id, {});
      log.info({ job_id: job.id, runner: job.runner }, 'cancel sent to the runner');
      return true;
    } catch (err) {
      ledger.cancelNotSent(job.id);
      log.warn({ err, job_id: job.id, runner: job.runner }, 'cancel command not sent; will retry');
      return false;
    }
  }

  /** One pass over what is owed. */
  async pass(): Promise<void> {
    await this.cancels();
    await this.starts();
  }

  private async cancels(): Promise<void> {
    const { ledger, onlineRunners, clock, log, settings, registry } = this.deps;
    const owed = ledger.owedCancels({
      online: onlineRunners(),
      maxAttempts: settings.maxCancelAttempts,
      giveUpMs: settings.cancelGiveUpMs,
      limit: CANCEL_BATCH,
    });
    for (const c of owed) {
      const why = !c.paired
        ? `runner ${c.runner} is no longer paired with this bot`
        : clock.now() - c.owedAt >= settings.cancelGiveUpMs
          ? `runner ${c.runner} did not answer the cancel within ${Math.round(settings.cancelGiveUpMs / 60_000)} min`
          : c.attempts >= settings.maxCancelAttempts
            ? `runner ${c.runner} never answered the cancel (sent ${c.attempts} times)`
            : undefined;
      if (why) {
        ledger.cancelAnswered(c.jobId, 'unanswered');
        log.warn(
          { job_id: c.jobId, runner: c.runner, attempts: c.attempts },
          `${why}; giving up (its tmux session may still run: check the runner)`,
        );
        continue;
      }
      const job = registry.get(c.jobId);
      if (job) await this.sendCancel(job); // not sent: the next pass tries again; the others go on
    }
  }

  private async starts(): Promise<void> {
    const { ledger, clock, settings } = this.deps;
    const online = new Set(this.deps.onlineRunners());
    for (const c of ledger.unansweredStarts()) {
      if (!online.has(c.runner) || !isDue(c, clock.now(), settings.startResendMs)) continue;
      if (c.attempts >= settings.maxStartAttempts) await this.giveUpStart(c);
      else await this.resendStart(c);
    }
  }

  private async resendStart(c: OwedCommand): Promise<boolean> {
    const { registry, ledger, send, log } = this.deps;
    const job = registry.get(c.jobId);
    if (job?.status !== 'dispatched') return true;
    ledger.startSending(job.id);
    try {
      await send(job.runner, 'start', job.id, startData(job), registry.tokenOf(job.id));
      log.warn(
        { job_id: job.id, runner: job.runner, attempt: c.attempts + 1 },
        'runner never answered the start; sent it again',
      );
      return true;
    } catch (err) {
      ledger.startNotSent(job.id);
      log.warn({ err, job_id: job.id, runner: job.runner }, 'start not sent again; will retry');
      return false;
    }
  }

  /** Ends the job in error; the runner may run it all the same (its answer lost), so it is owed a cancel. */
  private async giveUpStart(c: OwedCommand): Promise<void> {
    const { registry, ledger, log } = this.deps;
    const reason = `runner ${c.runner} never answered the start (sent ${c.attempts} times)`;
    let job: Job;
    try {
      job = immediate(registry.db, () => {
        const ended = registry.transition(c.jobId, 'error', reason);
        ledger.startAnswered(c.jobId, 'unanswered');
        ledger.oweCancel(c.jobId);
        return ended;
      });
    } catch (err) {
      log.debug({ err, job_id: c.jobId }, 'unanswered start: job already moved on');
      return;
    }
    log.warn(
      { job_id: c.jobId, runner: c.runner, attempts: c.attempts },
      `${reason}; job ended in error, cancel sent in case it runs`,
    );
    await this.sendCancel(job);
  }

  /** A runner's answer to a start or a cancel (already verified and replay-checked). */
  onResult(runnerId: string, r: RunnerResultEnvelope): void {
    const { registry, log } = this.deps;
    if (r.data.command !== 'start' && r.data.command !== 'cancel') return;
    const job = registry.get(r.job_id);
    if (!job || job.runner !== runnerId) {
      log.warn(
        { runner: runnerId, job_id: r.job_id, command: r.data.command },
        'runner answered for a job it does not run here; ignored',
      );
      return;
    }
    if (r.data.command === 'cancel') this.cancelAnswered(job, r);
    else this.startAnswered(job, r);
  }

  private cancelAnswered(job: Job, r: RunnerResultEnvelope): void {
    this.deps.ledger.cancelAnswered(job.id, r.data.status === 'rejected' ? 'rejected' : 'done');
    if (r.data.status === 'rejected')
      this.deps.log.warn(
        { job_id: job.id, runner: job.runner, reason: r.data.reason },
        'runner could not carry out the cancel',
      );
  }

  /**
   * The runner runs a job that is already over (the start answered late, or after the bot gave up):
   * it owes a cancel, sent now, unless one is owed and unanswered already (it follows the start).
   * Not when the agent itself ended the job (its completed / error event is stored): a late answer
   * to a re-sent start of a job that simply finished must not cut its linger short.
   */
  private cancelIfOver(job: Job): void {
    const { ledger, log, registry } = this.deps;
    if (!isTerminalState(job.status)) return;
    const endedByAgent = prepared(
      registry.db,
      `SELECT 1 FROM events WHERE job_id = ? AND event IN ('completed', 'error') LIMIT 1`,
    ).get(job.id);
    if (endedByAgent || !ledger.oweCancel(job.id, { unlessOwed: true })) return;
    log.warn(
      { job_id: job.id, runner: job.runner, status: job.status },
      'runner accepted the start of a job already over; sending a cancel',
    );
    this.sendCancel(job).catch((err: unknown) =>
      log.error({ err, job_id: job.id }, 'cancel of a job already over not sent; the next pass retries'),
    );
  }

  private startAnswered(job: Job, r: RunnerResultEnvelope): void {
    const { registry, ledger, log } = this.deps;
    if (r.data.status !== 'rejected') {
      ledger.startAnswered(job.id, 'accepted');
      this.cancelIfOver(job);
      return;
    }
    if (ALREADY_STARTED.test(r.data.reason ?? '')) {
      ledger.startAnswered(job.id, 'duplicate');
      log.info(
        { job_id: job.id, runner: job.runner, reason: r.data.reason },
        'runner already has the job (a start sent again); not an error',
      );
      this.cancelIfOver(job);
      return;
    }
    if (ledger.startAnswered(job.id, 'rejected') === 'accepted') {
      log.warn({ job_id: job.id, reason: r.data.reason }, 'start rejected after it was accepted; ignored');
      return;
    }
    // A rejected start usually comes with an `error` event the runner signed with the job token;
    // when it could not (the sealed token did not open), the job would wait as dispatched forever.
    if (job.status !== 'dispatched') return;
    try {
      registry.transition(
        job.id,
        'error',
        `runner ${job.runner} rejected the start: ${r.data.reason ?? 'no reason given'}`,
      );
      log.warn(
        { job_id: job.id, runner: job.runner, reason: r.data.reason },
        'start rejected by the runner; job ended in error',
      );
    } catch (err) {
      log.debug({ err, job_id: job.id }, 'rejected start: job already moved on');
    }
  }
}
