/** What the chat core's parts share: the port, state, registry, policy, clock, and settings. */
import type { DecidedListener } from '../bot/decision-service.js';
import type { RunnerControl } from '../bot/runner-control.js';
import type { Clock } from '../clock.js';
import type { DecideResult, DecisionInput } from '../jobs/decisions.js';
import type { Grant, GrantedRule } from '../jobs/granted-rules.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { RuleLists } from '../policy/policy-set.js';
import type { AuditSink } from '../relay/audit.js';
import type { AcceptedEvent } from '../relay/pipeline.js';
import type { MayRun, OutcomeListener } from '../schedules/schedule-service.js';
import type { ScheduleStore } from '../schedules/schedule-store.js';
import type { Access } from './access.js';
import type { ChatState } from './chat-state.js';
import type { KeyedQueue } from './keyed-queue.js';
import type { ChannelPacer } from './pacer.js';
import type { ChatPort } from './port.js';
import type { Timers } from './timers.js';

export interface ChatSettings {
  /** At most one progress edit per job this often. */
  progressIntervalMs: number;
  /** A request unanswered this long gets one reminder; 0 turns reminders off. */
  reminderMs: number;
  /** Longest piece of agent text shown in one block. */
  maxTextChars: number;
  /** Longest tool input shown in a permission request. */
  inputChars: number;
  /** Channel for jobs registered outside chat (CLI); none: they are not shown on this platform. */
  defaultChannel: string | undefined;
  /** Events still owed to chat this long after they arrived are retried by tick(). */
  retryAfterMs: number;
  /**
   * An event that still cannot be delivered this long after it arrived is given up (logged and
   * audited once), so a job whose channel is gone stops being retried.
   */
  giveUpAfterMs: number;
  /** The bot's own approval rules (config `approvals`), shown by `/hermes rules`. */
  botRules?: RuleLists | undefined;
}

export const defaultChatSettings: ChatSettings = {
  progressIntervalMs: 5000,
  reminderMs: 300_000,
  maxTextChars: 2800,
  inputChars: 1500,
  defaultChannel: undefined,
  retryAfterMs: 15_000,
  giveUpAfterMs: 24 * 3600_000,
};

/** The event stream the core listens to (BotCore.relay). */
export interface AcceptedEvents {
  onAccepted(listener: (e: AcceptedEvent) => void | Promise<void>): () => void;
  /** Gaps in a job's events that could not be repaired (shown once in the thread). */
  onGap?(listener: (gap: { jobId: string; from: number; to: number; reason: string }) => void): () => void;
}

/** The decision service (BotCore.decisions): the same code `hermes jobs decide` runs. */
export interface Decisions {
  decide(input: DecisionInput): Promise<DecideResult>;
  /** Grants a rule for a live job without deciding a request. */
  grant(g: Grant): GrantedRule;
  onDecided(listener: DecidedListener): () => void;
}

/** The bot's schedules as `/hermes schedule` uses them (src/schedules/schedule-service.ts). */
export interface ChatSchedules {
  readonly store: ScheduleStore;
  /** `schedule.time_zone` (undefined: the bot host's). */
  readonly timeZone: string | undefined;
  valid(expr: string): boolean;
  /** The table changed: start or stop cron tasks now rather than at the next tick. */
  sync(): void;
  onOutcome(listener: OutcomeListener): () => void;
  /** Asked before each run of this platform's schedules: may the owner still register there? */
  guard(platform: string, mayRun: MayRun): () => void;
}

export interface ChatDeps {
  port: ChatPort;
  platform: string;
  state: ChatState;
  registry: JobRegistry;
  decisions: Decisions;
  runners: RunnerControl;
  access: Access;
  /** The chat audit log: refusals, decisions, and events given up on. */
  audit: AuditSink;
  queue: KeyedQueue;
  pacer: ChannelPacer;
  clock: Clock;
  timers: Timers;
  log: Logger;
  settings: ChatSettings;
  /** Absent: this bot runs no schedules (`/hermes schedule` says so). */
  schedules?: ChatSchedules | undefined;
}
