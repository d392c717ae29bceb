/** The bot's schedules table (migration 8): every read and write of it is here. */
import { type Clock, isoTime, newId, type Random } from '../clock.js';
import { HermesError } from '../errors.js';
import { type Db, prepared } from '../store/sqlite.js';

export const OVERLAPS = ['skip', 'queue', 'allow'] as const;
export type Overlap = (typeof OVERLAPS)[number];

export interface Schedule {
  id: string;
  cron: string;
  profile: string;
  runner: string;
  repo: string | null;
  prompt: string;
  owner: string;
  chat: { platform: string; channel: string } | null;
  /** Where skipped runs are told (the schedule's message in its channel). */
  thread: { channel: string; id: string } | null;
  overlap: Overlap;
  paused: boolean;
  createdAt: string;
  lastRunAt: string | null;
  lastJobId: string | null;
  queuedAt: string | null;
}

interface Row {
  id: string;
  cron: string;
  profile: string;
  runner: string;
  repo: string | null;
  prompt: string;
  owner: string;
  chat_platform: string | null;
  chat_channel: string | null;
  thread_channel: string | null;
  thread_id: string | null;
  overlap: Overlap;
  paused: number;
  created_at: string;
  last_run_at: string | null;
  last_job_id: string | null;
  queued_at: string | null;
}

const fromRow = (r: Row): Schedule => ({
  id: r.id,
  cron: r.cron,
  profile: r.profile,
  runner: r.runner,
  repo: r.repo,
  prompt: r.prompt,
  owner: r.owner,
  chat: r.chat_platform && r.chat_channel ? { platform: r.chat_platform, channel: r.chat_channel } : null,
  thread: r.thread_channel && r.thread_id ? { channel: r.thread_channel, id: r.thread_id } : null,
  overlap: r.overlap,
  paused: r.paused === 1,
  createdAt: r.created_at,
  lastRunAt: r.last_run_at,
  lastJobId: r.last_job_id,
  queuedAt: r.queued_at,
});

export function scheduleToJson(s: Schedule) {
  return {
    id: s.id,
    cron: s.cron,
    profile: s.profile,
    runner: s.runner,
    repo: s.repo,
    prompt: s.prompt,
    owner: s.owner,
    chat: s.chat,
    overlap: s.overlap,
    paused: s.paused,
    created_at: s.createdAt,
    last_run_at: s.lastRunAt,
    last_job_id: s.lastJobId,
    queued: s.queuedAt !== null,
  };
}

export interface NewSchedule {
  cron: string;
  profile: string;
  runner: string;
  repo: string | null;
  prompt: string;
  owner: string;
  chat: { platform: string; channel: string } | null;
  overlap: Overlap;
}

export class ScheduleStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  add(s: NewSchedule): Schedule {
    const id = newId('s', this.random);
    prepared(
      this.db,
      `INSERT INTO schedules (id, cron, profile, runner, repo, prompt, owner, chat_platform, chat_channel, overlap, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      s.cron,
      s.profile,
      s.runner,
      s.repo,
      s.prompt,
      s.owner,
      s.chat?.platform ?? null,
      s.chat?.channel ?? null,
      s.overlap,
      isoTime(this.clock.now()),
    );
    return this.require(id);
  }

  get(id: string): Schedule | undefined {
    const r = prepared(this.db, 'SELECT * FROM schedules WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  require(id: string): Schedule {
    const s = this.get(id);
    if (!s) throw new HermesError('usage', `no schedule ${id}`, { hint: 'see hermes schedules list' });
    return s;
  }

  list(): Schedule[] {
    return (prepared(this.db, 'SELECT * FROM schedules ORDER BY created_at, id').all() as Row[]).map(fromRow);
  }

  remove(id: string): boolean {
    return prepared(this.db, 'DELETE FROM schedules WHERE id = ?').run(id).changes === 1;
  }

  setPaused(id: string, paused: boolean): Schedule {
    this.require(id);
    prepared(this.db, 'UPDATE schedules SET paused = ? WHERE id = ?').run(paused ? 1 : 0, id);
    return this.require(id);
  }

  setThread(id: string, thread: { channel: string; id: string }): void {
    prepared(this.db, 'UPDATE schedules SET thread_channel = ?, thread_id = ? WHERE id = ?').run(
      thread.channel,
      thread.id,
      id,
    );
  }

  /** The scheduled time `at` was handled (a job registered, skipped or queued). */
  handled(id: string, at: string, jobId?: string): void {
    if (jobId !== undefined)
      prepared(
        this.db,
        'UPDATE schedules SET last_run_at = ?, last_job_id = ?, queued_at = NULL WHERE id = ?',
      ).run(at, jobId, id);
    else prepared(this.db, 'UPDATE schedules SET last_run_at = ? WHERE id = ?').run(at, id);
  }

  queue(id: string, at: string): void {
    prepared(this.db, 'UPDATE schedules SET queued_at = coalesce(queued_at, ?) WHERE id = ?').run(at, id);
  }
}
