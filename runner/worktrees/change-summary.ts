/**
 * What a job changed in its worktree: the commits on its branch since the
 * base commit plus whatever is not committed yet (new files too), as files
 * with added / removed lines, and optionally the patch.
 *
 * Uncommitted changes are measured through a scratch index (a copy of the
 * worktree's, in a temp folder, with `git add -A` applied): the agent's own
 * index and files are never touched. Files Hermes put there itself (copied
 * `.env`, installed hooks) are left out. Once the worktree is removed, the
 * branch alone is compared (cleanup commits what was left uncommitted).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Logger } from '../../src/log.js';
import type { Git } from './git.js';
import type { JobWorktree } from './worktree-store.js';

export interface FileChange {
  path: string;
  /** null for a binary file. */
  added: number | null;
  removed: number | null;
}

export interface ChangeSummary {
  jobId: string;
  repo: string;
  branch: string;
  base: string;
  baseCommit: string;
  /** Commits on the branch since the base commit. */
  commits: number;
  files: FileChange[];
  added: number;
  removed: number;
  /** Files whose change is not committed yet (0 once the worktree is gone). */
  uncommitted: number;
  /** Whether the worktree was still on disk. */
  live: boolean;
  /** The unified diff, when asked for. */
  patch?: string;
}

function parseNumstat(out: string): FileChange[] {
  const files: FileChange[] = [];
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(rec);
    if (!m) continue;
    files.push({
      path: m[3]!,
      added: m[1] === '-' ? null : Number(m[1]),
      removed: m[2] === '-' ? null : Number(m[2]),
    });
  }
  return files;
}

const pathspec = (own: readonly string[]) => ['--', '.', ...own.map((f) => `:(exclude,literal)${f}`)];

/**
 * Files whose content never goes into the patch, at any depth: the patch is posted in the thread
 * for everyone in the channel, and an agent may have copied or written credentials into its
 * worktree (`cp .env .env.bak`, an `npm login`). They still count in the table; the patch says
 * which it left out. A secret under another name is not caught: docs/slack.md says so.
 */
export const PATCH_WITHHELD = [
  '.env',
  '.env.*',
  '*.env',
  '.npmrc',
  '.netrc',
  '.pypirc',
  '.git-credentials',
  '.pgpass',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  'credentials',
  'credentials.*',
];
const withheldSpec = PATCH_WITHHELD.map((g) => `:(exclude,glob)**/${g}`);
/** Never an external diff driver or a textconv filter: the patch shows the bytes of the change. */
const PATCH_FLAGS = ['--no-ext-diff', '--no-textconv'];

/** The patch, headed by the files it left out; undefined when it cannot be made (the table still can). */
async function makePatch(
  run: (extra: string[], spec: string[]) => Promise<string>,
  files: readonly FileChange[],
  w: JobWorktree,
  log: Logger | undefined,
): Promise<string | undefined> {
  try {
    const patch = await run(PATCH_FLAGS, withheldSpec);
    const kept = new Set((await run(['--name-only', '-z'], withheldSpec)).split('\0').filter(Boolean));
    const left = files.map((f) => f.path).filter((p) => !kept.has(p));
    if (left.length === 0) return patch;
    // Text before the first `diff --git` line is ignored by git apply and patch(1).
    return `# Hermes left these out of the patch (they look like secrets): ${left.join(', ')}\n${patch}`;
  } catch (err) {
    log?.warn(
      { err, job_id: w.jobId, repo: w.repo },
      'the patch could not be made; the change table goes without it',
    );
    return undefined;
  }
}

export async function changeSummary(
  git: Git,
  w: JobWorktree,
  opts: { patch?: boolean; log?: Logger } = {},
): Promise<ChangeSummary> {
  const live = w.removedAt === null && existsSync(w.path);
  const commits = Number(
    (
      await git({ cwd: w.repoPath, args: ['rev-list', '--count', `${w.baseCommit}..refs/heads/${w.branch}`] })
    ).trim(),
  );
  const base: Omit<ChangeSummary, 'files' | 'added' | 'removed' | 'uncommitted' | 'patch'> = {
    jobId: w.jobId,
    repo: w.repo,
    branch: w.branch,
    base: w.base,
    baseCommit: w.baseCommit,
    commits,
    live,
  };
  let files: FileChange[];
  let uncommitted = 0;
  let patch: string | undefined;
  if (!live) {
    const range = [w.baseCommit, `refs/heads/${w.branch}`];
    files = parseNumstat(
      await git({
        cwd: w.repoPath,
        args: ['diff', '--no-renames', '--numstat', '-z', ...range, ...pathspec(w.ownFiles)],
      }),
    );
    if (opts.patch)
      patch = await makePatch(
        (extra, spec) =>
          git({
            cwd: w.repoPath,
            args: ['diff', '--no-renames', ...extra, ...range, ...pathspec(w.ownFiles), ...spec],
          }),
        files,
        w,
        opts.log,
      );
  } else {
    const scratch = mkdtempSync(join(tmpdir(), 'hermes-index-'));
    try {
      const index = join(scratch, 'index');
      const own = (await git({ cwd: w.path, args: ['rev-parse', '--git-path', 'index'] })).trim();
      const ownIndex = isAbsolute(own) ? own : join(w.path, own);
      if (existsSync(ownIndex)) copyFileSync(ownIndex, index);
      const env = { GIT_INDEX_FILE: index };
      await git({ cwd: w.path, args: ['add', '-A', '--', '.'], env });
      const diff = (extra: string[], from: string, spec: string[] = []) =>
        git({
          cwd: w.path,
          args: ['diff', '--cached', '--no-renames', ...extra, from, ...pathspec(w.ownFiles), ...spec],
          env,
        });
      files = parseNumstat(await diff(['--numstat', '-z'], w.baseCommit));
      uncommitted = (await diff(['--name-only', '-z'], 'HEAD')).split('\0').filter(Boolean).length;
      if (opts.patch)
        patch = await makePatch((extra, spec) => diff(extra, w.baseCommit, spec), files, w, opts.log);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const sum = (k: 'added' | 'removed') => files.reduce((n, f) => n + (f[k] ?? 0), 0);
  return {
    ...base,
    files,
    added: sum('added'),
    removed: sum('removed'),
    uncommitted,
    ...(patch !== undefined ? { patch } : {}),
  };
}

const MAX_ROWS = 25;

/** The short table posted in the thread (plain text; the chat core puts it in a code block). */
export function formatChangeTable(s: ChangeSummary): string {
  if (s.files.length === 0) return `no changes on ${s.branch} (from ${s.base})`;
  const rows = s.files.slice(0, MAX_ROWS).map((f) => ({
    path: f.path,
    plus: f.added === null ? 'bin' : `+${f.added}`,
    minus: f.removed === null ? '' : `-${f.removed}`,
  }));
  const w1 = Math.min(60, Math.max(...rows.map((r) => r.path.length)));
  const w2 = Math.max(...rows.map((r) => r.plus.length));
  const lines = rows.map((r) => `${r.path.padEnd(w1)}  ${r.plus.padStart(w2)}  ${r.minus}`.trimEnd());
  if (s.files.length > MAX_ROWS) lines.push(`… and ${s.files.length - MAX_ROWS} more files`);
  const parts = [
    `${s.files.length} file${s.files.length === 1 ? '' : 's'} changed, +${s.added} -${s.removed}`,
    `${s.commits} commit${s.commits === 1 ? '' : 's'} on ${s.branch} (from ${s.base})`,
  ];
  if (s.uncommitted > 0) parts.push(`${s.uncommitted} file${s.uncommitted === 1 ? '' : 's'} not committed`);
  lines.push('', parts.join('; '));
  return lines.join('\n');
}
