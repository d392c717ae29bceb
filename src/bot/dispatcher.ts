/**
 * The bot's side of the runners: tracks their signed status, dispatches
 * pending jobs to online runners as signed `start` commands (claimed through
 * the registry, so two bot processes never dispatch one job twice), and
 * implements cancel / peek for the chat core. Each dispatch pass also does
 * the follow-ups (follow-ups.ts): cancels owed to runners, unanswered starts.
 */

import { type Clock, isoTime, newId, type Random } from '../clock.js';
import { HermesError } from '../errors.js';
import { markFollowupSent, unsentFollowups } from '../jobs/followups.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { MqttBus } from '../mqtt/bus.js';
import type { RuleLists } from '../policy/policy-set.js';
import type { RunnerCommandName, RunnerResultEnvelope } from '../protocol/schemas.js';
import { runnerIdFromTopic, topics } from '../protocol/topics.js';
import { CommandLedger } from './command-ledger.js';
import { DEFAULT_FOLLOW_UPS, type FollowUpSettings, FollowUps, startData } from './follow-ups.js';
import { buildRunnerCommand, readRunnerMessage } from './runner-commands.js';
import type { ChangeReport, DiffAnswer, RunnerControl, RunnerInfo } from './runner-control.js';
import type { RunnersStore } from './runners-store.js';
import { recordStartPolicy } from './start-policy.js';
import { RunnerStatusSubscriptions } from './status-subscriptions.js';

export interface DispatcherDeps {
  registry: JobRegistry;
  runners: RunnersStore;
  bus: MqttBus;
  prefix: string;
  clock: Clock;
  random: Random;
  log: Logger;
  maxPayloadBytes: number;
  peekTimeoutMs?: number;
  followUps?: Partial<FollowUpSettings>;
  /** The bot's org-wide approval rules (config `approvals`), carried in every start command. */
  approvals?: RuleLists;
}

type ResultWaiter = (r: RunnerResultEnvelope) => void;

/** A diff result's patch and its whole size, when the runner sent them. */
const patchOf = (r: RunnerResultEnvelope): Pick<ChangeReport, 'patch' | 'patchBytes'> => ({
  ...(r.data.patch ? { patch: r.data.patch } : {}),
  ...(r.data.patch_bytes !== undefined ? { patchBytes: r.data.patch_bytes } : {}),
});

const hasRules = (r: RuleLists | undefined): r is RuleLists =>
  r !== undefined && Object.values(r).some((list) => (list?.length ?? 0) > 0);

export class Dispatcher implements RunnerControl {
  private readonly waiters = new Map<string, ResultWaiter>();
  private dispatching: Promise<void> | undefined;
  private again = false;
  private stopHandler: (() => void) | undefined;
  private readonly ledger: CommandLedger;
  private readonly followUps: FollowUps;
  private readonly statusTopics: RunnerStatusSubscriptions;
  private readonly reportListeners = new Set<(r: ChangeReport) => void>();
  /** accepts_cwd from each runner's last status (retained, so it comes back after a restart). */
  private readonly acceptsCwd = new Map<string, boolean>();

  constructor(private readonly deps: DispatcherDeps) {
    this.ledger = new CommandLedger(deps.registry.db, deps.clock);
    this.statusTopics = new RunnerStatusSubscriptions({
      bus: deps.bus,
      prefix: deps.prefix,
      runnerIds: () => deps.runners.list().map((r) => r.id),
      log: deps.log,
    });
    this.followUps = new FollowUps({
      registry: deps.registry,
      ledger: this.ledger,
      send: async (runnerId, command, jobId, data, token) => {
        const key = deps.runners.keyOf(runnerId);
        if (!key) throw new HermesError('unknown_runner', `runner ${runnerId} is not paired with this bot`);
        await this.send(runnerId, key, command, jobId, data, token);
      },
      onlineRunners: () => this.list().flatMap((r) => (r.state === 'online' ? [r.id] : [])),
      clock: deps.clock,
      log: deps.log,
      settings: { ...DEFAULT_FOLLOW_UPS, ...deps.followUps },
    });
  }

  async start(): Promise<void> {
    const { bus, prefix } = this.deps;
    this.stopHandler = bus.onMessage((topic, payload) => this.onMessage(topic, payload));
    await bus.subscribe([topics.allRunnerStatus(prefix), topics.allRunnerResults(prefix)], 1);
    await this.statusTopics.sync();
  }

  stop(): void {
    this.stopHandler?.();
  }

  list(): RunnerInfo[] {
    return this.deps.runners.list().map((r) => {
      const accepts = this.acceptsCwd.get(r.id);
      return accepts === undefined ? r : { ...r, acceptsCwd: accepts };
    });
  }

  kick(): void {
    void this.dispatchPending();
  }

  /** Dispatch every pending job of every online runner, then the follow-ups; concurrent calls coalesce. */
  dispatchPending(): Promise<void> {
    if (this.dispatching) {
      this.again = true;
      return this.dispatching;
    }
    this.dispatching = (async () => {
      do {
        this.again = false;
        await this.statusTopics.sync();
        for (const r of this.list().filter((x) => x.state === 'online')) await this.dispatchTo(r.id);
        await this.followUps.pass();
        await this.sendReplies();
      } while (this.again);
    })().finally(() => {
      this.dispatching = undefined;
    });
    return this.dispatching;
  }

  private async dispatchTo(runnerId: string): Promise<void> {
    const { registry, runners, log } = this.deps;
    const key = runners.keyOf(runnerId);
    if (!key) return;
    for (;;) {
      const job = registry.claim(runnerId);
      if (!job) return;
      // Counted before the publish: if the bot dies before the broker takes it, the follow-ups send it again.
      this.ledger.startSending(job.id);
      try {
        await this.send(runnerId, key, 'start', job.id, startData(job), registry.tokenOf(job.id));
        log.info({ job_id: job.id, runner: runnerId, profile: job.profile }, 'job dispatched');
      } catch (err) {
        this.ledger.startNotSent(job.id);
        log.warn({ err, job_id: job.id, runner: runnerId }, 'dispatch failed; job stays pending');
        try {
          registry.transition(job.id, 'pending', 'dispatch failed; will retry');
        } catch (e) {
          log.info({ err: e, job_id: job.id }, 'failed dispatch: the job moved on meanwhile (cancelled)');
        }
        return;
      }
    }
  }

  /** Queued follow-ups (src/jobs/followups.ts) to the runners of their jobs that are online. */
  private async sendReplies(): Promise<void> {
    const { registry, runners, clock, log } = this.deps;
    const online = new Set(this.list().flatMap((r) => (r.state === 'online' ? [r.id] : [])));
    for (const f of unsentFollowups(registry.db)) {
      const key = runners.keyOf(f.runner);
      if (!key || !online.has(f.runner)) continue;
      markFollowupSent(registry.db, f.id, isoTime(clock.now()));
      try {
        const data = { followup: f.kind, by: f.by, ...(f.kind === 'reply' ? { text: f.text } : {}) };
        await this.send(f.runner, key, 'followup', f.jobId, data);
        log.info({ job_id: f.jobId, runner: f.runner, followup: f.kind }, 'follow-up sent to the runner');
      } catch (err) {
        markFollowupSent(registry.db, f.id, null);
        log.warn({ err, job_id: f.jobId, runner: f.runner }, 'follow-up not sent; will retry');
        return;
      }
    }
  }

  private async send(
    runnerId: string,
    key: string,
    command: RunnerCommandName,
    jobId: string,
    data: Record<string, unknown>,
    token?: string | null,
  ) {
    const { runners, prefix, clock, random, bus, approvals } = this.deps;
    const seq = runners.nextCommandSeq(runnerId);
    const withRules = command === 'start' && hasRules(approvals) ? { ...data, approvals } : data;
    const msg = buildRunnerCommand(
      prefix,
      { runnerId, runnerKey: key, seq, command, jobId, data: withRules, token },
      clock,
      random,
    );
    await bus.publish(msg.topic, msg.wire, { qos: 1 });
    return seq;
  }

  /** Marks the job cancelled and tells its runner; a cancel that does not go out is retried by the next pass. */
  async cancel(jobId: string, by: string): Promise<void> {
    const job = this.deps.registry.cancel(jobId, `cancelled by ${by}`);
    await this.followUps.sendCancel(job);
  }

  async peek(jobId: string, lines: number): Promise<string> {
    const r = await this.ask(jobId, 'peek', { lines });
    if (r.data.status === 'rejected')
      throw new HermesError('tmux', r.data.reason ?? 'the runner could not read the pane');
    return r.data.output ?? '';
  }

  async diff(jobId: string): Promise<DiffAnswer> {
    const r = await this.ask(jobId, 'diff', {});
    if (r.data.status === 'rejected')
      throw new HermesError('git', r.data.reason ?? 'the runner could not diff');
    return { text: r.data.output ?? '', ...patchOf(r) };
  }

  onChangeReport(listener: (report: ChangeReport) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /** A command the job's runner answers with a result carrying the command's request id. */
  private async ask(
    jobId: string,
    command: 'peek' | 'diff',
    data: Record<string, unknown>,
  ): Promise<RunnerResultEnvelope> {
    const { registry, runners } = this.deps;
    const job = registry.require(jobId);
    const key = runners.keyOf(job.runner);
    const info = this.list().find((r) => r.id === job.runner);
    if (!key || !info)
      throw new HermesError(
        'unknown_runner',
        `job ${jobId} runs on ${job.runner}, which is not paired with this bot`,
      );
    if (info.state !== 'online')
      throw new HermesError(
        'unknown_runner',
        `runner ${job.runner} is ${info.state}; try again when it is online`,
      );
    const requestId = newId('p', this.deps.random);
    const result = new Promise<RunnerResultEnvelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new HermesError('timeout', `runner ${job.runner} did not answer the ${command} in time`));
      }, this.deps.peekTimeoutMs ?? 10_000);
      this.waiters.set(requestId, (r) => {
        clearTimeout(timer);
        this.waiters.delete(requestId);
        resolve(r);
      });
    });
    await this.send(job.runner, key, command, jobId, { request_id: requestId, ...data });
    return result;
  }

  /** A worktree job's change, sent by its runner at the job's end (runner/worktrees/diff-command.ts). */
  private changeReported(runnerId: string, r: RunnerResultEnvelope): void {
    const job = this.deps.registry.get(r.job_id);
    if (!job || job.runner !== runnerId) {
      this.deps.log.warn(
        { runner: runnerId, job_id: r.job_id },
        'change report for a job of another runner; dropped',
      );
      return;
    }
    const link =
      typeof r.data.link === 'string' && /^https:\/\/[^\s]+$/.test(r.data.link) ? r.data.link : undefined;
    const report: ChangeReport = {
      jobId: r.job_id,
      text: r.data.output ?? '',
      turn: r.data.report === 'turn_end',
      ...(link ? { link } : {}),
      ...patchOf(r),
    };
    for (const l of this.reportListeners) l(report);
  }

  /**
   * Asks the job's runner to publish the job's events from..to again from its outbox (the gap
   * watch saw them missing). Resolves with whether the runner still had any, and why not.
   */
  async requestResend(jobId: string, from: number, to: number): Promise<{ ok: boolean; reason?: string }> {
    const { registry, runners } = this.deps;
    const job = registry.require(jobId);
    const key = runners.keyOf(job.runner);
    if (!key) return { ok: false, reason: `runner ${job.runner} is not paired with this bot` };
    const requestId = newId('g', this.deps.random);
    const result = new Promise<RunnerResultEnvelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new HermesError('timeout', `runner ${job.runner} did not answer the resend in time`));
      }, this.deps.peekTimeoutMs ?? 10_000);
      this.waiters.set(requestId, (r) => {
        clearTimeout(timer);
        this.waiters.delete(requestId);
        resolve(r);
      });
    });
    await this.send(job.runner, key, 'resend', jobId, { request_id: requestId, from, to });
    const r = await result;
    return r.data.status === 'rejected' ? { ok: false, reason: r.data.reason ?? 'rejected' } : { ok: true };
  }

  private onMessage(topic: string, payload: Buffer): void {
    const { prefix, runners, log } = this.deps;
    const leaf = topic.endsWith('/status') ? 'status' : topic.endsWith('/results') ? 'results' : undefined;
    if (!leaf) return;
    const runnerId = runnerIdFromTopic(prefix, topic, leaf);
    if (!runnerId) return;
    if (payload.length === 0) return; // a cleared retained status
    const key = runners.keyOf(runnerId);
    if (!key) {
      log.warn({ runner: runnerId }, 'message from an unpaired runner dropped');
      return;
    }
    const msg = readRunnerMessage(payload, runnerId, key, this.deps.maxPayloadBytes);
    if (msg.kind === 'invalid') {
      log.warn({ runner: runnerId, reason: msg.reason }, 'runner message dropped');
      return;
    }
    if (msg.kind === 'status') {
      const { state, profiles } = msg.value.data;
      if (!runners.recordStatus(runnerId, msg.value.seq, state, profiles)) {
        log.debug({ runner: runnerId, seq: msg.value.seq }, 'old runner status ignored');
        return;
      }
      const accepts = (msg.value.data as { accepts_cwd?: unknown }).accepts_cwd;
      if (typeof accepts === 'boolean') this.acceptsCwd.set(runnerId, accepts);
      log.info({ runner: runnerId, state, profiles }, 'runner status');
      if (state === 'online') this.kick();
      return;
    }
    const r = msg.value;
    if (!runners.acceptResultSeq(runnerId, r.seq)) {
      log.warn({ runner: runnerId, seq: r.seq }, 'runner result replayed or out of order; dropped');
      return;
    }
    log.info(
      {
        runner: runnerId,
        job_id: r.job_id,
        command: r.data.command,
        status: r.data.status,
        reason: r.data.reason,
      },
      'runner result',
    );
    recordStartPolicy(this.deps, runnerId, r);
    if (r.data.request_id) this.waiters.get(r.data.request_id)?.(r);
    else if (r.data.command === 'diff' && (r.data.report === 'job_end' || r.data.report === 'turn_end'))
      this.changeReported(runnerId, r);
    this.followUps.onResult(runnerId, r);
  }
}
