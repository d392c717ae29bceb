/**
 * Commands from the bot, from the topic to the answer: each message is
 * checked (command-check.ts) in arrival order; accepted commands of one job
 * run one after another (a cancel waits for its start), jobs run side by
 * side with at most `maxParallelStarts` agents starting at once; every
 * accepted command is answered on the results topic.
 */
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { type CheckOptions, checkCommand } from './command-check.js';
import type { ResultFields } from './runner-messages.js';

export interface CommandHandlers {
  start(cmd: RunnerCommandEnvelope, ageMs: number): Promise<ResultFields>;
  cancel(cmd: RunnerCommandEnvelope, ageMs: number): Promise<ResultFields>;
  peek(cmd: RunnerCommandEnvelope, ageMs: number): Promise<ResultFields>;
  followup(cmd: RunnerCommandEnvelope, ageMs: number): Promise<ResultFields>;
  diff(cmd: RunnerCommandEnvelope, ageMs: number): Promise<ResultFields>;
  resend(cmd: RunnerCommandEnvelope): Promise<ResultFields>;
}

export interface CommandRouterDeps {
  topic: string;
  check: CheckOptions;
  handlers: CommandHandlers;
  publishResult(r: ResultFields): Promise<void>;
  log: Logger;
  maxParallelStarts?: number;
}

/** Tasks per key in order; keys side by side. */
class PerKeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): void {
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(task).catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class CommandRouter {
  private readonly queue = new PerKeyQueue();
  private readonly starts: Limiter;

  constructor(private readonly deps: CommandRouterDeps) {
    this.starts = new Limiter(deps.maxParallelStarts ?? 4);
  }

  /** Bus handler; ignores other topics. */
  onMessage(topic: string, payload: Buffer): void {
    if (topic !== this.deps.topic) return;
    const { log } = this.deps;
    const v = checkCommand(payload, this.deps.check);
    if (!v.ok) {
      log.warn(
        { reason: v.reason, detail: v.detail, job: v.jobId, seq: v.seq },
        `runner command dropped: ${v.reason}`,
      );
      return;
    }
    const cmd = v.command;
    log.info({ command: cmd.event, job: cmd.job_id, seq: cmd.seq }, 'runner command accepted');
    this.queue.run(cmd.job_id, () => this.handle(cmd, v.ageMs));
  }

  private async handle(cmd: RunnerCommandEnvelope, ageMs: number): Promise<void> {
    const { handlers, log } = this.deps;
    let result: ResultFields;
    try {
      if (cmd.event === 'start') result = await this.starts.run(() => handlers.start(cmd, ageMs));
      else if (cmd.event === 'cancel') result = await handlers.cancel(cmd, ageMs);
      else if (cmd.event === 'followup') result = await handlers.followup(cmd, ageMs);
      else if (cmd.event === 'diff') result = await handlers.diff(cmd, ageMs);
      else if (cmd.event === 'resend') result = await handlers.resend(cmd);
      else result = await handlers.peek(cmd, ageMs);
    } catch (e) {
      log.error({ command: cmd.event, job: cmd.job_id, err: describeError(e) }, 'runner command failed');
      result = {
        command: cmd.event,
        commandSeq: cmd.seq,
        jobId: cmd.job_id,
        status: 'rejected',
        reason: describeError(e),
        ...(cmd.data.request_id !== undefined ? { requestId: cmd.data.request_id } : {}),
      };
    }
    try {
      await this.deps.publishResult(result);
    } catch (e) {
      log.warn({ command: cmd.event, job: cmd.job_id, err: describeError(e) }, 'result not published');
    }
  }

  /** Resolves when every accepted command so far has been handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }
}
