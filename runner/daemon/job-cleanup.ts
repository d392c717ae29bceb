/**
 * What goes when a job's session ends (terminated by reconcile or cancel) or
 * its start fails: the job's files (token, seq counters), the token the
 * runner kept in memory, and the agent hooks installed into its working
 * copy, unless another live session of a hooked profile works in the same
 * folder.
 */
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { removeJobFiles } from '../job-files.js';
import { type HookInstallers, type HookKind, removeHooks } from '../profiles/hook-installers.js';
import type { ProfileSet } from '../profiles/profile-set.js';
import type { SessionStore } from '../session-store.js';
import type { JobTokens } from './job-tokens.js';

export interface JobCleanupDeps {
  home: string;
  store: Pick<SessionStore, 'getByJob' | 'list'>;
  profiles: Pick<ProfileSet, 'get'>;
  hooks: HookInstallers;
  tokens: Pick<JobTokens, 'forget'>;
  log: Logger;
}

export interface HookSite {
  kind: HookKind;
  cwd: string;
}

export class JobCleanup {
  constructor(private readonly d: JobCleanupDeps) {}

  private hookKind(profile: string): HookKind {
    return this.d.profiles.get(profile)?.hooks ?? 'none';
  }

  /** After the job's session was terminated. */
  async afterSession(jobId: string): Promise<void> {
    const s = this.d.store.getByJob(jobId);
    await this.clean(jobId, s?.cwd ? { kind: this.hookKind(s.profile), cwd: s.cwd } : undefined);
  }

  /** After a start failed; `site` when hooks may have been installed already. */
  afterFailedStart(jobId: string, site?: HookSite): Promise<void> {
    return this.clean(jobId, site);
  }

  private async clean(jobId: string, site: HookSite | undefined): Promise<void> {
    removeJobFiles(this.d.home, jobId);
    this.d.tokens.forget(jobId);
    if (!site || site.kind === 'none') return;
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
