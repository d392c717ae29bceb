/**
 * What goes when a job's session ends (terminated by reconcile or cancel) or
 * its start fails: the job's files (token, seq counters), the token the
 * runner kept in memory, and the agent hooks installed into its working
 * copy, unless another job of a hooked profile still uses the same folder:
 * a live session in the store, or (in this daemon) a job between the
 * installation of its hooks and its session's record, which the store cannot
 * show yet. The daemon counts those in memory: holdHooks() before installing,
 * released when the start fails or the session ends.
 *
 * A job's git worktree (runner/worktrees/) goes last, after its hooks are out
 * of it; its branch stays. A failed start's branch, still at its base, goes
 * too (nothing was done on it).
 */
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { removeJobFiles } from '../job-files.js';
import { type HookInstallers, type HookKind, removeHooks } from '../profiles/hook-installers.js';
import type { ProfileSet } from '../profiles/profile-set.js';
import type { SessionStore } from '../session-store.js';
import type { JobWorktrees } from '../worktrees/job-worktrees.js';
import type { JobSeqs } from './job-seqs.js';
import type { JobTokens } from './job-tokens.js';

export interface JobCleanupDeps {
  home: string;
  store: Pick<SessionStore, 'getByJob' | 'list'>;
  profiles: Pick<ProfileSet, 'get'>;
  hooks: HookInstallers;
  tokens: Pick<JobTokens, 'forget'>;
  /** The highest seq the runner saw per job: goes with the job's seq counter. */
  seqs?: Pick<JobSeqs, 'forget'>;
  worktrees?: Pick<JobWorktrees, 'release'>;
  log: Logger;
}

export interface HookSite {
  kind: HookKind;
  cwd: string;
}

export class JobCleanup {
  /** Jobs of this process using hooks, by job: registered before installation, until cleanup. */
  private readonly hookUsers = new Map<string, HookSite>();

  constructor(private readonly d: JobCleanupDeps) {}

  /** A job is about to install hooks at `site`: no other job's cleanup removes them until this one's. */
  holdHooks(jobId: string, site: HookSite): void {
    if (site.kind !== 'none') this.hookUsers.set(jobId, site);
  }

  /** Jobs of this process holding hooks at the site, other than `jobId`. */
  private heldByOthers(jobId: string, site: HookSite): boolean {
    for (const [other, s] of this.hookUsers) {
      if (other !== jobId && s.kind === site.kind && s.cwd === site.cwd) return true;
    }
    return false;
  }

  private hookKind(profile: string): HookKind {
    return this.d.profiles.get(profile)?.hooks ?? 'none';
  }

  /** After the job's session was terminated. */
  async afterSession(jobId: string): Promise<void> {
    const s = this.d.store.getByJob(jobId);
    await this.clean(jobId, s?.cwd ? { kind: this.hookKind(s.profile), cwd: s.cwd } : undefined);
    await this.releaseWorktree(jobId, false);
  }

  /** After a start failed; `site` when hooks may have been installed already. */
  async afterFailedStart(jobId: string, site?: HookSite): Promise<void> {
    await this.clean(jobId, site);
    await this.releaseWorktree(jobId, true);
  }

  private async releaseWorktree(jobId: string, failedStart: boolean): Promise<void> {
    try {
      await this.d.worktrees?.release(jobId, { failedStart });
    } catch (e) {
      this.d.log.warn({ job: jobId, err: describeError(e) }, 'worktree not removed');
    }
  }

  private async clean(jobId: string, site: HookSite | undefined): Promise<void> {
    const held = this.hookUsers.get(jobId);
    this.hookUsers.delete(jobId);
    removeJobFiles(this.d.home, jobId);
    this.d.tokens.forget(jobId);
    this.d.seqs?.forget(jobId);
    site ??= held;
    if (!site || site.kind === 'none') return;
    if (this.heldByOthers(jobId, site)) return;
    const shared = this.d.store
      .list({ status: ['running', 'stopped'] })
      .some((s) => s.jobId !== jobId && s.cwd === site.cwd && this.hookKind(s.profile) === site.kind);
    if (shared) return;
    try {
      await removeHooks(site.kind, this.d.hooks, site.cwd);
    } catch (e) {
      this.d.log.warn({ job: jobId, cwd: site.cwd, err: describeError(e) }, 'agent hooks not removed');
    }
  }
}
