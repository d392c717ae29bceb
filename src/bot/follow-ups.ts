/**
 * What the bot still owes runners, done on every dispatch pass (the bot's tick and whenever a
 * runner comes online), from what the command ledger recorded:
 *
 * - the cancel of a job that was dispatched and then cancelled, wherever that happened: chat and
 *   Dispatcher.cancel send it at once, `hermes jobs cancel` (another process) sends nothing, and a
 *   failed publish must not leave the agent running. Sent again, less and less often, while the
 *   runner is online and has not answered.
 * - the start of a job still `dispatched` that no runner answered: sent again likewise. The
 *   runner refuses a start for a job it already has without touching it (runner/daemon/start-job.ts),
 *   so a start sent twice runs once; that refusal is taken as the answer, not as a failure.
 *   After `maxStartAttempts` sends the job ends in error, so it does not wait forever.
 *
 * It also reads the runners' answers to starts and cancels.
 */
import type { Clock } from '../clock.js';
import type { Job } from '../jobs/job.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { RunnerResultEnvelope } from '../protocol/schemas.js';
import { type CommandLedger, isDue, type OwedCommand } from './command-ledger.js';

export interface FollowUpSettings {
  /** Wait before the first re-send; it doubles after each. */
  startResendMs: number;
  maxStartAttempts: number;
  cancelResendMs: number;
  maxCancelAttempts: number;
}

export const DEFAULT_FOLLOW_UPS: FollowUpSettings = {
  startResendMs: 60_000,
  maxStartAttempts: 5,
  cancelResendMs: 60_000,
  maxCancelAttempts: 5,
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

/** Cancels looked at per pass: an upgrade with many old cancelled jobs must not send one burst. */
const CANCEL_BATCH = 20;

export function startData(job: Job): Record<string, unknown> {
  return { profile: job.profile, prompt: job.prompt, ...(job.cwd ? { cwd: job.cwd } : {}) };
}

export class FollowUps {
  constructor(
    private readonly deps: {
      registry: JobRegistry;
      ledger: CommandLedger;
      send: SendCommand;
      isOnline: (runnerId: string) => boolean;
      clock: Clock;
      log: Logger;
      settings: FollowUpSettings;
    },
  ) {}

  /** Sends the cancel of a cancelled job now; false when it did not go out (the next pass retries). */
  async sendCancel(job: Pick<Job, 'id' | 'runner' | 'dispatchedAt'>): Promise<boolean> {
    const { ledger, send, log } = this.deps;
    if (!job.dispatchedAt) return true; // never handed to a runner: nothing runs
    ledger.cancelSending(job.id);
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
    const { ledger, isOnline, clock, log, settings, registry } = this.deps;
    for (const c of ledger.owedCancels(CANCEL_BATCH)) {
      // The first send needs no online runner: its persistent session queues the command.
      if (c.attempts > 0 && !(isOnline(c.runner) && isDue(c, clock.now(), settings.cancelResendMs))) continue;
      if (c.attempts >= settings.maxCancelAttempts) {
        ledger.cancelAnswered(c.jobId, 'unanswered');
        log.warn(
          { job_id: c.jobId, runner: c.runner, attempts: c.attempts },
          'runner never answered the cancel; giving up (its tmux session may still run: check the runner)',
        );
        continue;
      }
      const job = registry.get(c.jobId);
      if (job && !(await this.sendCancel(job))) return;
    }
  }

  private async starts(): Promise<void> {
    const { ledger, isOnline, clock, settings } = this.deps;
    for (const c of ledger.unansweredStarts()) {
      if (!isOnline(c.runner) || !isDue(c, clock.now(), settings.startResendMs)) continue;
      if (c.attempts >= settings.maxStartAttempts) this.giveUpStart(c);
      else if (!(await this.resendStart(c))) return;
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

  private giveUpStart(c: OwedCommand): void {
    const { registry, log } = this.deps;
    const reason = `runner ${c.runner} never answered the start (sent ${c.attempts} times)`;
    try {
      registry.transition(c.jobId, 'error', reason);
      log.warn({ job_id: c.jobId, runner: c.runner, attempts: c.attempts }, `${reason}; job ended in error`);
    } catch (err) {
      log.debug({ err, job_id: c.jobId }, 'unanswered start: job already moved on');
    }
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

  private startAnswered(job: Job, r: RunnerResultEnvelope): void {
    const { registry, ledger, log } = this.deps;
    if (r.data.status !== 'rejected') {
      ledger.startAnswered(job.id, 'accepted');
      return;
    }
    if (ALREADY_STARTED.test(r.data.reason ?? '')) {
      ledger.startAnswered(job.id, 'duplicate');
      log.info(
        { job_id: job.id, runner: job.runner, reason: r.data.reason },
        'runner already has the job (a start sent again); not an error',
      );
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
