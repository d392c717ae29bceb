/**
 * The job card, kept true to the job: posted at registration (or at a CLI job's first event) and
 * edited whenever the job's status moved since it was drawn (running, waiting for approval,
 * running again, the end), so a card never says "waiting for a runner" while its agent works.
 *
 * Where the platform paces calls per channel (Slack, Discord), a status edit is cosmetic: it waits
 * for the channel's pacing like a progress edit, outside the job's queue so none of the job's
 * messages wait for it, and several changes meanwhile become one edit. Where it does not (the
 * console), the card is brought up to date at once, so its line reads before the event's own.
 *
 * What each card last showed is kept in memory only: after a restart the first event of a job
 * redraws its card once, which is right whenever the bot missed a change while it was down.
 */
import type { Job } from '../jobs/job.js';
import { isTerminalState } from '../jobs/states.js';
import { jobUsage } from '../jobs/usage-queries.js';
import type { JobThread } from './chat-state.js';
import type { ChatDeps } from './deps.js';
import type { ChatMessage } from './port.js';
import { cardStatusWords, renderJobCard } from './render/job-card.js';

const PROMPT_CHARS = 500;

export class JobCards {
  /** job id -> the status words its card shows now (live jobs only). */
  private readonly shown = new Map<string, string>();
  /** Jobs with a paced status edit booked. */
  private readonly booked = new Set<string>();

  constructor(private readonly deps: ChatDeps) {}

  private runnerState(job: Job) {
    return this.deps.runners.list().find((r) => r.id === job.runner)?.state;
  }

  private render(job: Job): { content: ChatMessage; words: string } {
    const runner = this.runnerState(job);
    const usage = jobUsage(this.deps.registry.db, job.id);
    return {
      content: renderJobCard(job, this.deps.platform, PROMPT_CHARS, usage, runner),
      words: cardStatusWords(job, runner),
    };
  }

  /** Posts the job card and records the thread (registration, or the first event of a CLI job). */
  async open(job: Job, channel: string): Promise<JobThread> {
    const { port, state, pacer } = this.deps;
    pacer.spend(channel);
    const { content, words } = this.render(job);
    const { card, thread } = await port.postJobCard(channel, content);
    state.saveThread(job.id, channel, card, thread);
    this.shown.set(job.id, words);
    return state.thread(job.id)!;
  }

  /** Edits the card to the job's current state now (inside the job's queue). */
  async refresh(jobId: string): Promise<void> {
    // Counts against the card's channel like a post, so progress edits there keep their distance.
    const thread = this.deps.state.thread(jobId);
    if (thread) this.deps.pacer.spend(thread.card.channel);
    await this.draw(jobId);
  }

  /**
   * The job's status may have moved (called inside the job's queue): edit the card if it did, at
   * once or paced (see the top). Cosmetic: a failed edit is logged, the next change tries again.
   */
  async follow(jobId: string): Promise<void> {
    if (this.deps.port.channelIntervalMs <= 0) {
      if (this.stale(jobId)) await this.refresh(jobId).catch((err: unknown) => this.failed(jobId, err));
      return;
    }
    if (this.booked.has(jobId) || !this.stale(jobId)) return;
    this.booked.add(jobId);
    const { pacer, queue, state } = this.deps;
    void (async () => {
      // Behind the job's current message first, so that urgent post spends the budget before
      // this edit books its slot.
      await queue.run(jobId, async () => {});
      const thread = state.thread(jobId);
      if (thread) await pacer.wait(thread.card.channel);
      await queue.run(jobId, async () => {
        this.booked.delete(jobId);
        if (this.stale(jobId)) await this.draw(jobId);
      });
    })().catch((err: unknown) => {
      this.booked.delete(jobId);
      this.failed(jobId, err);
    });
  }

  private stale(jobId: string): boolean {
    const job = this.deps.registry.get(jobId);
    if (!job || isTerminalState(job.status) || !this.deps.state.thread(jobId)) return false;
    return this.shown.get(jobId) !== cardStatusWords(job, this.runnerState(job));
  }

  private async draw(jobId: string): Promise<void> {
    const thread = this.deps.state.thread(jobId);
    if (!thread) return;
    const job = this.deps.registry.require(jobId);
    const { content, words } = this.render(job);
    await this.deps.port.edit(thread.card, content);
    // An ended job's card changes no more: forget it, so the map does not grow with every job.
    if (isTerminalState(job.status)) this.shown.delete(jobId);
    else this.shown.set(jobId, words);
  }

  private failed(jobId: string, err: unknown): void {
    this.deps.log.warn({ err, job_id: jobId }, 'job card not updated');
  }
}
