/**
 * Runs schedules in the bot: at each time of a schedule's cron expression
 * (node-cron, in `schedule.time_zone`) a job is registered with the
 * schedule's profile, runner, repository and prompt, owned by the schedule's
 * owner, in its channel. A schedule whose last job is still live skips the
 * run (overlap `skip`, the default: said in the schedule's thread), owes one
 * run for when it ends (`queue`), or runs anyway (`allow`).
 *
 * At start, a schedule whose latest scheduled time passed while the bot was
 * down runs that one time, if it is less than `schedule.catch_up_seconds`
 * late: never a backlog. Schedules added, removed or paused by another
 * process (the CLI) are picked up by `sync()` on the bot's tick.
 *
 * A run is the owner's job, so the owner's right to register is checked again at each run, not
 * only when the schedule was added: the chat core of the schedule's platform answers (`guard`).
 * A schedule whose owner may no longer register there is paused, not run, and says so. Schedules
 * added from the CLI, or of a platform whose chat is not running here, have no guard.
 */
import { type Clock, isoTime } from '../clock.js';
import { describeError } from '../errors.js';
import type { JobRegistry } from '../jobs/registry.js';
import { isTerminalState } from '../jobs/states.js';
import type { Logger } from '../log.js';
import type { CronPort } from './cron-port.js';
import type { Schedule, ScheduleStore } from './schedule-store.js';

export interface RunOutcome {
  scheduleId: string;
  at: string;
  /** `paused`: the owner may no longer register in the schedule's channel; nothing was registered. */
  outcome: 'registered' | 'skipped' | 'queued' | 'paused';
  jobId?: string;
  reason?: string;
}

export interface ScheduleServiceDeps {
  store: ScheduleStore;
  registry: JobRegistry;
  cron: CronPort;
  clock: Clock;
  log: Logger;
  timeZone: string | undefined;
  catchUpSeconds: number;
  /** Dispatch now (the dispatcher's kick). */
  kick: () => void;
  /** A run was registered, skipped or queued (also told to the listeners of `onOutcome`). */
  onOutcome?: (s: Schedule, r: RunOutcome) => void;
}

export type OutcomeListener = (s: Schedule, r: RunOutcome) => void;

/** May this schedule's owner still register in its channel? Asked just before each run registers. */
export type MayRun = (s: Schedule) => boolean;

const MINUTE = 60_000;

export class ScheduleService {
  /** Live cron tasks, by schedule id, with the expression they run. */
  private readonly tasks = new Map<string, { cron: string; stop: () => void }>();
  private readonly listeners = new Set<OutcomeListener>();
  /** By platform: the chat core that knows who may register there. */
  private readonly guards = new Map<string, MayRun>();

  constructor(private readonly d: ScheduleServiceDeps) {}

  /** The table, for the chat commands (`/hermes schedule …`). */
  get store(): ScheduleStore {
    return this.d.store;
  }

  get timeZone(): string | undefined {
    return this.d.timeZone;
  }

  valid(expr: string): boolean {
    return this.d.cron.valid(expr);
  }

  /** The chat cores listen: a skipped run is said in the schedule's thread. Returns the unsubscribe. */
  onOutcome(listener: OutcomeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A chat core checks its platform's schedules before each run. Returns the removal. */
  guard(platform: string, mayRun: MayRun): () => void {
    this.guards.set(platform, mayRun);
    return () => {
      if (this.guards.get(platform) === mayRun) this.guards.delete(platform);
    };
  }

  private told(s: Schedule, r: RunOutcome): void {
    this.d.onOutcome?.(s, r);
    for (const l of this.listeners) {
      try {
        l(s, r);
      } catch (e) {
        this.d.log.warn({ schedule: s.id, err: describeError(e) }, 'schedule outcome listener failed');
      }
    }
  }

  /** Catch-up of missed times, then the cron tasks. */
  start(): RunOutcome[] {
    const done: RunOutcome[] = [];
    for (const s of this.d.store.list()) {
      if (s.paused) continue;
      const missed = this.latestMissed(s);
      if (!missed) continue;
      this.d.log.info({ schedule: s.id, at: isoTime(missed.getTime()) }, 'running a missed scheduled time');
      try {
        done.push(this.run(s.id, missed));
      } catch (e) {
        this.d.log.error({ schedule: s.id, err: describeError(e) }, 'missed scheduled run failed');
      }
    }
    this.sync();
    return done;
  }

  /** Cron tasks = the schedules not paused, as the table holds them now. */
  sync(): void {
    const want = new Map(
      this.d.store
        .list()
        .filter((s) => !s.paused)
        .map((s) => [s.id, s]),
    );
    for (const [id, t] of this.tasks) {
      if (want.get(id)?.cron !== t.cron) {
        t.stop();
        this.tasks.delete(id);
      }
    }
    for (const [id, s] of want) {
      if (this.tasks.has(id)) continue;
      try {
        const stop = this.d.cron.schedule(s.cron, this.d.timeZone, (at) => this.fire(id, at));
        this.tasks.set(id, { cron: s.cron, stop });
      } catch (e) {
        this.d.log.warn({ schedule: id, cron: s.cron, err: describeError(e) }, 'schedule not started');
      }
    }
  }

  /** Housekeeping: pick up changes from other processes, and run queued schedules whose job ended. */
  tick(): RunOutcome[] {
    this.sync();
    const done: RunOutcome[] = [];
    for (const s of this.d.store.list()) {
      if (s.queuedAt === null || s.paused || this.live(s)) continue;
      done.push(this.register(s, s.queuedAt));
    }
    return done;
  }

  stop(): void {
    for (const t of this.tasks.values()) t.stop();
    this.tasks.clear();
  }

  private fire(id: string, at: Date): void {
    try {
      this.run(id, at);
    } catch (e) {
      this.d.log.error({ schedule: id, err: describeError(e) }, 'scheduled run failed');
    }
  }

  /** One scheduled time of a schedule. */
  run(id: string, at: Date): RunOutcome {
    const s = this.d.store.require(id);
    const iso = isoTime(Math.floor(at.getTime() / MINUTE) * MINUTE);
    if (s.lastRunAt !== null && s.lastRunAt >= iso) {
      return { scheduleId: id, at: iso, outcome: 'skipped', reason: 'this time was handled already' };
    }
    const live = this.live(s);
    if (live && s.overlap !== 'allow') {
      this.d.store.handled(id, iso);
      let r: RunOutcome;
      if (s.overlap === 'queue') {
        this.d.store.queue(id, iso);
        r = {
          scheduleId: id,
          at: iso,
          outcome: 'queued',
          reason: `job ${live} is still running; runs when it ends`,
        };
      } else {
        r = { scheduleId: id, at: iso, outcome: 'skipped', reason: `job ${live} is still running` };
      }
      this.d.log.info({ schedule: id, at: iso, outcome: r.outcome, job: live }, 'scheduled run not started');
      this.told(s, r);
      return r;
    }
    return this.register(s, iso);
  }

  private register(s: Schedule, iso: string): RunOutcome {
    const mayRun = s.chat ? this.guards.get(s.chat.platform) : undefined;
    if (mayRun && !mayRun(s)) return this.pauseRevoked(s, iso);
    const job = this.d.registry.register({
      profile: s.profile,
      runner: s.runner,
      repo: s.repo,
      prompt: s.prompt,
      owner: s.owner,
      chat: s.chat ? { ...s.chat, thread: null } : null,
    });
    this.d.store.handled(s.id, iso, job.id);
    this.d.log.info({ schedule: s.id, at: iso, job_id: job.id }, 'scheduled job registered');
    this.d.kick();
    const r: RunOutcome = { scheduleId: s.id, at: iso, outcome: 'registered', jobId: job.id };
    this.told(s, r);
    return r;
  }

  /** The owner lost the right to register: pause rather than register as them, and say so. */
  private pauseRevoked(s: Schedule, iso: string): RunOutcome {
    this.d.store.handled(s.id, iso);
    const paused = this.d.store.setPaused(s.id, true);
    this.sync();
    const r: RunOutcome = {
      scheduleId: s.id,
      at: iso,
      outcome: 'paused',
      reason: `${s.owner} may no longer register jobs in this channel`,
    };
    this.d.log.warn(
      { schedule: s.id, at: iso, owner: s.owner },
      'schedule paused: its owner may no longer register',
    );
    this.told(paused, r);
    return r;
  }

  /** The schedule's last job, while it has not ended. */
  private live(s: Schedule): string | undefined {
    if (!s.lastJobId) return undefined;
    const j = this.d.registry.get(s.lastJobId);
    return j && !isTerminalState(j.status) ? j.id : undefined;
  }

  /** The latest time of the schedule after its last handled one, if less late than the catch-up limit. */
  private latestMissed(s: Schedule): Date | undefined {
    const now = this.d.clock.now();
    const since = Date.parse(s.lastRunAt ?? s.createdAt);
    const limit = now - this.d.catchUpSeconds * 1000;
    for (let t = Math.floor(now / MINUTE) * MINUTE; t > since && t >= limit; t -= MINUTE) {
      if (this.d.cron.matches(s.cron, this.d.timeZone, new Date(t))) return new Date(t);
    }
    return undefined;
  }
}
