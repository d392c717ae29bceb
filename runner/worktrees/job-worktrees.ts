/**
 * The runner's worktree duties for jobs, as the daemon calls them:
 *
 * - `prepare` at start: whether the job runs in a worktree (its profile says
 *   `worktree: true`, or the job names a repository with `--repo`), and if so
 *   creates it (create-worktree.ts); the agent's cwd is the worktree;
 * - `ended` when the job's terminal event is seen: once per job, the change
 *   (change-summary.ts) and, for a completed job of a repository with
 *   `worktree.on_success: push`, the push; returned for the bot's thread;
 * - `release` when the job's session is cleaned up (after the linger period,
 *   a cancel, or a failed start): the folder goes, the branch stays;
 * - `summary` for `/hermes diff`.
 */
import type { RepoConfig } from '../../src/config/schema.js';
import { HermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { HookKind } from '../profiles/hook-installers.js';
import { type ChangeSummary, changeSummary, formatChangeTable } from './change-summary.js';
import { createWorktree } from './create-worktree.js';
import { dropUnusedBranch, pushBranch, removeWorktree } from './finish-worktree.js';
import type { Git } from './git.js';
import { RepoLock } from './repo-lock.js';
import type { JobWorktree, WorktreeStore } from './worktree-store.js';

/** Files the runner writes into a job's working copy for each kind of hooks. */
const HOOK_FILES: Record<HookKind, string[]> = {
  none: [],
  claude: ['.claude/settings.local.json'],
  codex: ['.codex/hooks.json'],
};

export interface JobWorktreesDeps {
  repos: Readonly<Record<string, RepoConfig>>;
  worktreesDir: string;
  git: Git;
  store: WorktreeStore;
  log: Logger;
}

export interface WorktreeProfile {
  name: string;
  worktree?: boolean | undefined;
  repo?: string | undefined;
  hooks: HookKind;
}

export interface EndReport {
  summary: ChangeSummary;
  /** The table and, if any, the push line: what the thread shows. */
  text: string;
  /** Compare page of the pushed branch. */
  link?: string;
}

/** Checks the config's cross references at runner start (zod cannot see them). */
export function checkRepoReferences(
  repos: Readonly<Record<string, RepoConfig>>,
  profiles: readonly { name: string; repo?: string | undefined }[],
): void {
  for (const p of profiles) {
    if (p.repo !== undefined && !(p.repo in repos)) {
      throw new HermesError(
        'config',
        `runner.profiles.${p.name}.repo: no repository ${p.repo} in runner.repos`,
        {
          hint: `runner.repos has: ${Object.keys(repos).join(', ') || '(none)'}`,
        },
      );
    }
  }
}

export class JobWorktrees {
  private readonly lock = new RepoLock();
  /** Turn ends already reported (QoS 1 may deliver an event twice). */
  private readonly turnsReported = new Set<string>();

  constructor(private readonly d: JobWorktreesDeps) {}

  /** The repository a job of `profile` runs on, or undefined when it runs in no worktree. */
  repoFor(
    profile: WorktreeProfile,
    requested: string | undefined,
  ): { name: string; repo: RepoConfig } | undefined {
    const name = requested ?? (profile.worktree ? profile.repo : undefined);
    if (name === undefined) {
      if (!profile.worktree) return undefined;
      throw new HermesError(
        'usage',
        `profile ${profile.name} runs each job in a worktree: name a repository with --repo`,
        {
          hint: `this runner has: ${Object.keys(this.d.repos).join(', ') || '(none)'}`,
        },
      );
    }
    const repo = this.d.repos[name];
    if (!repo) {
      const known = Object.keys(this.d.repos).join(', ') || 'none; see runner.repos';
      throw new HermesError('usage', `this runner has no repository ${name} (it has: ${known})`);
    }
    return { name, repo };
  }

  async prepare(
    jobId: string,
    profile: WorktreeProfile,
    requested: string | undefined,
  ): Promise<JobWorktree | undefined> {
    const target = this.repoFor(profile, requested);
    if (!target) return undefined;
    return createWorktree(
      {
        jobId,
        repoName: target.name,
        repo: target.repo,
        worktreesDir: this.d.worktreesDir,
        runnerFiles: HOOK_FILES[profile.hooks],
      },
      { git: this.d.git, lock: this.lock, store: this.d.store, log: this.d.log },
    );
  }

  has(jobId: string): boolean {
    return this.d.store.get(jobId) !== undefined;
  }

  async summary(jobId: string, opts: { patch?: boolean } = {}): Promise<ChangeSummary | undefined> {
    const w = this.d.store.get(jobId);
    return w ? changeSummary(this.d.git, w, { ...opts, log: this.d.log }) : undefined;
  }

  /** Once per job: the change and the push; undefined when the job has no worktree or was reported. */
  async ended(jobId: string, outcome: 'completed' | 'error'): Promise<EndReport | undefined> {
    const w = this.d.store.get(jobId);
    if (!w || !this.d.store.claimReport(jobId)) return undefined;
    const repo = this.d.repos[w.repo];
    const deps = { git: this.d.git, store: this.d.store, log: this.d.log };
    // Under the repository's lock: the worktree is not removed while it is measured.
    const { summary, push } = await this.lock.run(w.repoPath, async () => {
      const push =
        outcome === 'completed' && repo?.worktree.on_success === 'push'
          ? await pushBranch(deps, w, repo.remote)
          : undefined;
      return {
        summary: await changeSummary(this.d.git, this.d.store.get(jobId)!, { patch: true, log: this.d.log }),
        push,
      };
    });
    const pushLine = push?.note;
    const text = [formatChangeTable(summary), ...(pushLine ? [pushLine] : [])].join('\n');
    return { summary, text, ...(push?.link ? { link: push.link } : {}) };
  }

  /** A turn ended (the job is idle, waiting for a reply): its change so far; once per turn event. */
  async turnEnded(jobId: string, seq: number): Promise<EndReport | undefined> {
    const w = this.d.store.get(jobId);
    const key = `${jobId}:${seq}`;
    if (!w || w.removedAt !== null || this.turnsReported.has(key)) return undefined;
    this.turnsReported.add(key);
    const summary = await this.lock.run(w.repoPath, () =>
      changeSummary(this.d.git, w, { patch: true, log: this.d.log }),
    );
    return { summary, text: formatChangeTable(summary) };
  }

  /** The job's session is gone: remove its worktree (the branch stays). */
  async release(jobId: string, opts: { failedStart?: boolean } = {}): Promise<void> {
    const w = this.d.store.get(jobId);
    if (!w || w.removedAt !== null) return;
    const runnerFiles = new Set(Object.values(HOOK_FILES).flat());
    const copied = w.ownFiles.filter((f) => !runnerFiles.has(f));
    const deps = { git: this.d.git, store: this.d.store, log: this.d.log };
    await this.lock.run(w.repoPath, async () => {
      await removeWorktree(deps, w, copied);
      if (opts.failedStart) await dropUnusedBranch(deps, w);
    });
  }
}
