/**
 * The chat core for one platform: listens to accepted events and decisions, and serves the
 * adapter's inbound calls (ChatInbound). Platform-neutral: everything it shows goes through the
 * ChatPort, everything it is asked comes through handleCommand / handleAction /
 * handleReasonSubmitted.
 */
import type { JobNotice, JobNotices } from '../bot/job-notices.js';
import type { RunnerControl } from '../bot/runner-control.js';
import type { Clock } from '../clock.js';
import { describeError, isHermesError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { AuditSink } from '../relay/audit.js';
import { closest } from '../suggest.js';
import { Access, type AccessPolicy, channelOn } from './access.js';
import { showAwayChanges } from './away-changes.js';
import { ChatState } from './chat-state.js';
import { usageMessage } from './commands/help.js';
import { COMMAND_LIST, COMMANDS } from './commands/index.js';
import { say } from './commands/replies.js';
import { type Token, tokenize } from './commands/tokenize.js';
import { DecisionFlow } from './decision-flow.js';
import {
  type AcceptedEvents,
  type ChatDeps,
  type ChatSchedules,
  type ChatSettings,
  type Decisions,
  defaultChatSettings,
} from './deps.js';
import { EventDelivery } from './event-delivery.js';
import { KeyedQueue } from './keyed-queue.js';
import { bold, message, section, text } from './message.js';
import { ChannelPacer } from './pacer.js';
import { postPatch } from './patch-file.js';
import type {
  ActionInput,
  ChatInbound,
  ChatPort,
  CommandInput,
  Interaction,
  ReasonInput,
  ThreadMessageInput,
} from './port.js';
import { ProgressCoalescer } from './progress.js';
import { changeMessage } from './render/change.js';
import { renderCancelAnnouncement, renderCancelled } from './render/events.js';
import { who } from './render/people.js';
import { RequestMessages } from './request-messages.js';
import { ownerMayStillRun, scheduleOutcome } from './schedule-notes.js';
import { handleThreadMessage } from './thread-reply.js';
import { realTimers, type Timers } from './timers.js';

/** The first word of `text` as the only token (commands whose rest is free text). */
function firstWord(text: string): Token[] {
  const m = /^\S+/.exec(text);
  return m ? [{ value: m[0], start: 0, end: m[0].length, quoted: false }] : [];
}

export interface ChatCoreOptions {
  port: ChatPort;
  policy: AccessPolicy;
  registry: JobRegistry;
  events: AcceptedEvents;
  decisions: Decisions;
  runners: RunnerControl;
  /** The chat audit log ($HERMES_HOME/audit/chat.ndjson). */
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  timers?: Timers;
  settings?: Partial<ChatSettings>;
  /** Cancels and registrations made through the bot's control socket (the CLI). */
  notices?: JobNotices;
  schedules?: ChatSchedules | undefined;
}

export class ChatCore implements ChatInbound {
  readonly deps: ChatDeps;
  private readonly delivery: EventDelivery;
  private readonly progress: ProgressCoalescer;
  private readonly requests: RequestMessages;
  private readonly flow: DecisionFlow;
  private readonly unsubscribe: Array<() => void> = [];
  private away: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ChatCoreOptions) {
    const { port, registry, clock, log } = opts;
    const timers = opts.timers ?? realTimers;
    const settings = { ...defaultChatSettings, ...opts.settings };
    const { platform } = port;
    const state = new ChatState(registry.db, platform, clock);
    // Mirrors EventDelivery.serves: the jobs this platform shows are the only ones it answers for.
    const scope = {
      platform,
      channelOf: (job: Job) =>
        channelOn(
          platform,
          job,
          job.chat ? undefined : state.thread(job.id)?.channel,
          settings.defaultChannel,
        ),
    };
    this.deps = {
      port,
      platform,
      state,
      registry,
      decisions: opts.decisions,
      runners: opts.runners,
      access: new Access(opts.policy, opts.audit, clock, scope),
      audit: opts.audit,
      queue: new KeyedQueue(),
      pacer: new ChannelPacer(port.channelIntervalMs, clock, timers),
      clock,
      timers,
      log: log.child({ name: `chat-${port.platform}` }),
      settings,
      schedules: opts.schedules,
    };
    this.progress = new ProgressCoalescer(this.deps);
    this.requests = new RequestMessages(this.deps);
    this.delivery = new EventDelivery(this.deps, this.progress, this.requests);
    this.flow = new DecisionFlow(this.deps, this.requests, this.delivery.cards);
  }

  /** Subscribes to events and decisions, then queues whatever is still owed to chat from before. */
  start(): void {
    this.unsubscribe.push(this.opts.events.onAccepted((e) => this.delivery.accept(e)));
    this.unsubscribe.push(this.opts.decisions.onDecided((result) => this.flow.decided(result)));
    const reports = this.opts.runners.onChangeReport?.((r) => {
      const title = r.turn ? 'Change so far' : 'Change';
      const content = changeMessage(r.jobId, title, r, this.deps.settings.maxTextChars);
      this.delivery
        .note(r.jobId, content)
        .then((posted) => {
          if (posted) return postPatch(this.deps, r.jobId, r);
          // The patch goes under its table; with no table posted there is nothing to put it under.
          if (r.patch || r.patchBytes)
            this.deps.log.warn({ job_id: r.jobId }, 'patch not posted: its change table was not posted');
          return undefined;
        })
        .catch((err: unknown) => this.deps.log.warn({ err, job_id: r.jobId }, 'change report not posted'));
    });
    if (reports) this.unsubscribe.push(reports);
    const onGap = this.opts.events.onGap?.((g) => {
      const range = g.from === g.to ? `event ${g.from} is` : `events ${g.from}-${g.to} are`;
      const content = message(
        `${g.jobId}: ${range} missing`,
        section(bold(`${range[0]!.toUpperCase()}${range.slice(1)} missing`), text(`: ${g.reason}`)),
      );
      this.delivery
        .note(g.jobId, content)
        .catch((err: unknown) => this.deps.log.warn({ err, job_id: g.jobId }, 'gap notice not posted'));
    });
    if (onGap) this.unsubscribe.push(onGap);
    if (this.opts.notices) this.unsubscribe.push(this.opts.notices.on((n) => void this.noticed(n)));
    const runs = this.opts.schedules?.onOutcome(
      (s, r) => void scheduleOutcome(this.deps, this.delivery, s, r),
    );
    if (runs) this.unsubscribe.push(runs);
    const guard = this.opts.schedules?.guard(this.deps.platform, (s) => ownerMayStillRun(this.deps, s));
    if (guard) this.unsubscribe.push(guard);
    const jobs = this.delivery.retryOwed(0);
    if (jobs > 0) this.deps.log.info({ jobs }, 'posting events that reached the bot while chat was away');
    this.showAway();
  }

  /** Cancels and decisions the CLI made with no bot running: shown now, in the jobs' queues. */
  private showAway(): void {
    this.away = showAwayChanges(this.deps, this.delivery, this.requests).catch((err: unknown) =>
      this.deps.log.warn({ err }, 'changes made while no bot ran not shown'),
    );
  }

  /** Housekeeping, every few seconds: one reminder per overdue request, retries of owed events. */
  async tick(): Promise<void> {
    this.delivery.retryOwed(this.deps.settings.retryAfterMs);
    await this.requests.remindDue();
  }

  /**
   * The platform is reachable again (a gateway reconnect): retries everything owed now, also for
   * jobs still waiting out a backoff from failures during the outage. Returns how many jobs.
   */
  catchUp(): number {
    this.showAway();
    return this.delivery.retryOwed(0, true);
  }

  /** A cancel or registration from outside chat: the thread and card say so, as if done here. */
  private async noticed(n: JobNotice): Promise<void> {
    const { registry, platform, log } = this.deps;
    try {
      const job = registry.get(n.jobId);
      if (!job || !this.delivery.serves(job)) return;
      if (n.kind === 'registered') await this.delivery.showRegistered(n.jobId);
      else {
        const by = who(n.by, platform);
        await this.delivery.ended(
          n.jobId,
          renderCancelled(n.jobId, by),
          renderCancelAnnouncement(registry.require(n.jobId), by, platform),
        );
      }
    } catch (err) {
      log.warn({ err, job_id: n.jobId, notice: n.kind }, 'chat not updated');
    }
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.progress.stop();
  }

  /** Resolves when everything queued so far has been posted (tests, orderly shutdown). */
  async idle(): Promise<void> {
    await this.away;
    return this.deps.queue.idle();
  }

  async handleCommand(input: CommandInput): Promise<void> {
    await this.guard(input, async () => {
      let tokens = tokenize(input.text);
      // Tolerate `/hermes` typed into the text (the console, copy-paste).
      if (tokens[0]?.value === '/hermes') tokens = tokens.slice(1);
      const name = tokens[0]?.value.toLowerCase();
      const handler = name ? COMMANDS[name] : undefined;
      if (!handler) {
        // A slip of the keyboard gets the one command it was meant to be; anything else the list.
        const near = name ? closest(name, Object.keys(COMMANDS)) : undefined;
        const problem = name
          ? `unknown command "${name.slice(0, 40)}"${near ? `; did you mean "${near}"?` : ''}`
          : undefined;
        await input.reply(usageMessage(COMMAND_LIST, problem, near ? COMMANDS[near] : undefined));
        return;
      }
      const text = input.text.slice(tokens[0]!.end).trim();
      // `--help` right after the command, as in the CLI: that command's usage, nothing run.
      if (/^(--help|-h)(\s|$)/.test(text)) {
        await input.reply(usageMessage(COMMAND_LIST, undefined, handler));
        return;
      }
      const ctx = {
        deps: this.deps,
        input,
        args: handler.verbatim ? firstWord(text) : tokenize(text),
        text,
        delivery: this.delivery,
        decisions: this.flow,
      };
      try {
        await handler.run(ctx);
      } catch (e) {
        if (!isHermesError(e, 'usage')) throw e;
        await input.reply(usageMessage(COMMAND_LIST, describeError(e), handler));
      }
    });
  }

  async handleAction(input: ActionInput): Promise<void> {
    await this.guard(input, () => this.flow.handleAction(input));
  }

  async handleReasonSubmitted(input: ReasonInput): Promise<void> {
    await this.guard(input, () => this.flow.handleReasonSubmitted(input));
  }

  async handleThreadMessage(input: ThreadMessageInput): Promise<void> {
    await this.guard(input, () => handleThreadMessage(this.deps, input));
  }

  /** A person's input never throws into the adapter: mistakes are answered, failures logged. */
  private async guard(input: Interaction, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const usage = isHermesError(e, 'usage');
      if (!usage) this.deps.log.error({ err: e, user: input.actor.user }, 'chat request failed');
      const text = usage
        ? describeError(e)
        : `Hermes could not do that: ${isHermesError(e) ? describeError(e) : 'internal error (see the bot log)'}`;
      await input
        .reply(usage ? usageMessage(COMMAND_LIST, text) : say(text))
        .catch((err: unknown) => this.deps.log.warn({ err }, 'could not answer in chat'));
    }
  }
}
