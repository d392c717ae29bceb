/**
 * The job registry: registration (tokens by default), state changes through
 * the transition table, and claims of pending work as single transactions.
 */
import { type Clock, isoTime, newId, newToken, type Random } from '../clock.js';
import { HermesError } from '../errors.js';
import { ID_RE } from '../protocol/topics.js';
import { type Db, immediate, prepared } from '../store/sqlite.js';
import { JOB_ENDED_BY } from './decisions.js';
import { type ChatLocation, type Job, type JobRow, jobFromRow } from './job.js';
import { assertTransition, isTerminalState, JOB_STATES, type JobState } from './states.js';

export const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A runner.repos name. */
export const REPO_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const TOKEN_RE = /^[\x21-\x7e]{16,512}$/;
/** A chosen id (the old fleet's `job_42`): letters, digits, `_` and `-`, starting with a letter or digit. */
export const CHOSEN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** States a job may be brought in with (`hermes jobs import`): `running` is an agent already at work. */
const IMPORT_STATES: readonly JobState[] = [
  'pending',
  'running',
  'waiting',
  'completed',
  'error',
  'cancelled',
];

export type TokenChoice = { kind: 'generate' } | { kind: 'given'; token: string } | { kind: 'none' };

export interface RegisterInput {
  profile: string;
  runner?: string;
  prompt?: string;
  cwd?: string | null;
  repo?: string | null;
  owner: string;
  auth?: TokenChoice;
  chat?: ChatLocation | null;
  /** Keep this id instead of generating one (CHOSEN_ID_RE); an id already registered is refused. */
  id?: string;
  /** Start in this state instead of pending (imports); not `dispatched`, which only the bot sets. */
  status?: JobState;
  /** Budget in US dollars; the runner ends the job in error when a turn ends above it. */
  maxCostUsd?: number | null;
}

export class JobRegistry {
  constructor(
    readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  private now(): string {
    return isoTime(this.clock.now());
  }

  register(input: RegisterInput): Job {
    if (!PROFILE_RE.test(input.profile)) {
      throw new HermesError('usage', `profile "${input.profile}" must be a lowercase word (a-z 0-9 _ -)`);
    }
    const runner = input.runner ?? 'local';
    if (input.repo != null && !REPO_RE.test(input.repo))
      throw new HermesError('usage', `repository "${input.repo}" must be a lowercase name (a-z 0-9 _ . -)`);
    if (!ID_RE.test(runner)) throw new HermesError('usage', `runner id "${runner}" is not valid`);
    const auth = input.auth ?? { kind: 'generate' };
    let token: string | null;
    if (auth.kind === 'none') token = null;
    else if (auth.kind === 'given') {
      if (!TOKEN_RE.test(auth.token)) {
        throw new HermesError('usage', 'auth token must be 16-512 printable ASCII characters without spaces');
      }
      token = auth.token;
    } else token = newToken(this.random);
    const maxCost = input.maxCostUsd ?? null;
    if (maxCost !== null && !(Number.isFinite(maxCost) && maxCost > 0)) {
      throw new HermesError('usage', `max cost must be a positive number of US dollars, not ${maxCost}`);
    }
    const now = this.now();
    const id = input.id ?? newId('j', this.random);
    if (input.id !== undefined && !CHOSEN_ID_RE.test(input.id)) {
      throw new HermesError(
        'usage',
        `job id ${JSON.stringify(input.id.slice(0, 140))} must be 1-128 letters, digits, _ or - (starting with a letter or digit)`,
      );
    }
    const status = input.status ?? 'pending';
    if (!IMPORT_STATES.includes(status))
      throw new HermesError('usage', `status must be one of ${IMPORT_STATES.join(', ')}`);
    if (input.id !== undefined && this.row(input.id))
      throw new HermesError('usage', `job id ${input.id} is already registered`);
    const live = status === 'running' || status === 'waiting';
    prepared(
      this.db,
      `INSERT INTO jobs (id, status, profile, prompt, runner, cwd, repo, owner, auth, token,
           chat_platform, chat_channel, chat_thread, created_at, updated_at, started_at, ended_at, max_cost_usd)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      status,
      input.profile,
      input.prompt ?? '',
      runner,
      input.cwd ?? null,
      input.repo ?? null,
      input.owner,
      token === null ? 'none' : 'token',
      token,
      input.chat?.platform ?? null,
      input.chat?.channel ?? null,
      input.chat?.thread ?? null,
      now,
      now,
      live ? now : null,
      isTerminalState(status) ? now : null,
      maxCost,
    );
    return this.require(id);
  }

  row(id: string): JobRow | undefined {
    return prepared(this.db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  get(id: string): Job | undefined {
    const r = this.row(id);
    return r ? jobFromRow(r) : undefined;
  }

  require(id: string): Job {
    const j = this.get(id);
    if (!j) throw new HermesError('unknown_job', `no job with id ${id}`, { hint: 'see hermes jobs list' });
    return j;
  }

  /** The job's secret. Only signing, verification and sealing call this. */
  tokenOf(id: string): string | null {
    const r = this.row(id);
    if (!r) throw new HermesError('unknown_job', `no job with id ${id}`);
    return r.token;
  }

  list(filter: { status?: JobState; runner?: string; limit?: number } = {}): Job[] {
    if (filter.status && !JOB_STATES.includes(filter.status)) {
      throw new HermesError('usage', `status must be one of ${JOB_STATES.join(', ')}`);
    }
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.runner) {
      where.push('runner = ?');
      args.push(filter.runner);
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, id LIMIT ?`;
    return (prepared(this.db, sql).all(...args, filter.limit ?? 10_000) as JobRow[]).map(jobFromRow);
  }

  /** Move a job to `to`, checked against the transition table inside one write transaction. */
  transition(id: string, to: JobState, reason?: string): Job {
    return immediate(this.db, () => {
      const r = this.row(id);
      if (!r) throw new HermesError('unknown_job', `no job with id ${id}`);
      this.applyTransition(r, to, reason);
      return jobFromRow(this.row(id)!);
    });
  }

  /** For callers already inside a transaction (the relay). */
  applyTransition(r: JobRow, to: JobState, reason?: string): void {
    assertTransition(r.id, r.status, to);
    const now = this.now();
    const stamp =
      to === 'dispatched'
        ? ', dispatched_at = @now'
        : to === 'running' && !r.started_at
          ? ', started_at = @now'
          : ['completed', 'error', 'cancelled'].includes(to)
            ? ', ended_at = @now'
            : '';
    prepared(
      this.db,
      `UPDATE jobs SET status = @to, updated_at = @now, status_reason = @reason ${stamp} WHERE id = @id`,
    ).run({ to, now, reason: reason ?? null, id: r.id });
    // A job cancelled after it was handed to a runner owes that runner a cancel, whichever process
    // cancelled it: the bot's follow-ups send it (src/bot/command-ledger.ts).
    if (to === 'cancelled' && r.dispatched_at) {
      prepared(
        this.db,
        'UPDATE jobs SET cancel_owed_at = COALESCE(cancel_owed_at, ?) WHERE id = ? AND cancel_answer IS NULL',
      ).run(now, r.id);
    }
    // Closed in the same transaction as the ending, whichever process ends the job (relay, bot,
    // `hermes jobs cancel`): nobody can decide on, or expire, a request of a job that is over.
    // Stamped, so "already expired by hermes:job-ended at T" says why and when it was closed.
    if (isTerminalState(to)) {
      prepared(
        this.db,
        `UPDATE permission_requests SET status = 'expired', decided_by = ?, decided_at = ?, reason = ?
         WHERE job_id = ? AND status = 'pending'`,
      ).run(JOB_ENDED_BY, now, `closed: the job ended (${to})`, r.id);
    }
  }

  cancel(id: string, reason = 'cancelled'): Job {
    return this.transition(id, 'cancelled', reason);
  }

  /** Take the oldest pending job for `runner` and mark it dispatched, atomically. */
  claim(runner: string): Job | undefined {
    return immediate(this.db, () => {
      const r = prepared(
        this.db,
        `SELECT * FROM jobs WHERE status = 'pending' AND runner = ? ORDER BY created_at, id LIMIT 1`,
      ).get(runner) as JobRow | undefined;
      if (!r) return undefined;
      this.applyTransition(r, 'dispatched');
      return jobFromRow(this.row(r.id)!);
    });
  }

  setChatLocation(id: string, chat: ChatLocation): void {
    const res = prepared(
      this.db,
      'UPDATE jobs SET chat_platform = ?, chat_channel = ?, chat_thread = ?, updated_at = ? WHERE id = ?',
    ).run(chat.platform, chat.channel, chat.thread, this.now(), id);
    if (res.changes === 0) throw new HermesError('unknown_job', `no job with id ${id}`);
  }
}
