import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSessionStore, type SessionStore } from '../../../../runner/session-store.js';
import { formatChangeTable } from '../../../../runner/worktrees/change-summary.js';
import type { Git } from '../../../../runner/worktrees/git.js';
import { JobWorktrees } from '../../../../runner/worktrees/job-worktrees.js';
import { WorktreeStore } from '../../../../runner/worktrees/worktree-store.js';
import { RepoConfig } from '../../../../src/config/schema.js';
import { silentLogger } from '../../../../src/log.js';
import { git, makeRepos, type Repos, testGit, write } from './git-repos.js';

const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };
const plain = { name: 'agent', worktree: false, hooks: 'none' as const };

describe('job worktrees on a real git repository', () => {
  let repos: Repos;
  let home: string;
  let sessions: SessionStore;
  let store: WorktreeStore;

  beforeEach(() => {
    repos = makeRepos();
    home = mkdtempSync(join(tmpdir(), 'hermes-wt-home-'));
    sessions = openSessionStore({ home, log: silentLogger, clock });
    store = new WorktreeStore(sessions.db, clock);
  });
  afterEach(() => {
    sessions.close();
    rmSync(home, { recursive: true, force: true });
    repos.cleanup();
  });

  function service(repo: Partial<RepoConfig> = {}, gitImpl: Git = testGit()) {
    return new JobWorktrees({
      repos: { app: RepoConfig.parse({ path: repos.main, copy: ['.env'], ...repo }) },
      worktreesDir: repos.worktrees,
      git: gitImpl,
      store,
      log: silentLogger,
    });
  }

  it('two concurrent jobs get two worktrees on two branches; the main checkout is left as it was', async () => {
    write(repos.main, 'README.md', 'dirty in the main checkout\n');
    const wt = service();
    const [a, b] = await Promise.all([wt.prepare('j-a', plain, 'app'), wt.prepare('j-b', plain, 'app')]);
    expect(a!.path).toBe(join(repos.worktrees, 'j-a'));
    expect(b!.path).toBe(join(repos.worktrees, 'j-b'));
    expect(git(a!.path, 'branch', '--show-current').trim()).toBe('hermes/j-a');
    expect(git(b!.path, 'branch', '--show-current').trim()).toBe('hermes/j-b');
    // Each starts clean from the base commit, whatever the main checkout holds.
    expect(readFileSync(join(a!.path, 'README.md'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(repos.main, 'README.md'), 'utf8')).toBe('dirty in the main checkout\n');
    expect(git(repos.main, 'branch', '--show-current').trim()).toBe('main');
    // The copy list: the ignored .env is there, and is not part of the change.
    expect(readFileSync(join(a!.path, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect((await wt.summary('j-a'))!.files).toEqual([]);
  });

  it('the change names the files the agent changed: commits on the branch and what it did not commit', async () => {
    const wt = service();
    const w = (await wt.prepare('j-c', plain, 'app'))!;
    write(w.path, 'src/app.ts', 'export const a = 10;\nexport const b = 2;\nexport const c = 3;\n');
    git(w.path, 'commit', '-q', '-am', 'agent: change app');
    write(w.path, 'README.md', 'hello\nmore\n');
    write(w.path, 'src/new.ts', 'x\ny\n');
    const s = (await wt.summary('j-c'))!;
    expect(s.commits).toBe(1);
    expect(s.files).toEqual([
      { path: 'README.md', added: 1, removed: 0 },
      { path: 'src/app.ts', added: 2, removed: 1 },
      { path: 'src/new.ts', added: 2, removed: 0 },
    ]);
    expect(s.uncommitted).toBe(2);
    const table = formatChangeTable(s);
    expect(table).toContain('src/new.ts');
    expect(table).toContain(
      '3 files changed, +5 -1; 1 commit on hermes/j-c (from main); 2 files not committed',
    );
    // Measuring touched neither the agent's index nor its files.
    expect(git(w.path, 'status', '--porcelain')).toBe(' M README.md\n?? src/new.ts\n');
  });

  it('the patch leaves out files that look like secrets (and says which), and shows no textconv output', async () => {
    const wt = service();
    const w = (await wt.prepare('j-p', plain, 'app'))!;
    write(w.path, 'src/app.ts', 'export const a = 10;\n');
    write(w.path, '.env.bak', 'SECRET=1\n');
    write(w.path, 'config/deploy.pem', '-----BEGIN PRIVATE KEY-----\n');
    // A textconv filter the agent set up may not rewrite what reviewers see.
    write(w.path, '.gitattributes', '*.ts diff=shout\n');
    git(w.path, 'config', 'diff.shout.textconv', 'tr a-z A-Z <');
    const s = (await wt.summary('j-p', { patch: true }))!;
    expect(s.files.map((f) => f.path)).toEqual([
      '.env.bak',
      '.gitattributes',
      'config/deploy.pem',
      'src/app.ts',
    ]);
    const patch = s.patch!;
    expect(patch.split('\n')[0]).toBe(
      '# Hermes left these out of the patch (they look like secrets): .env.bak, config/deploy.pem',
    );
    expect(patch).not.toContain('SECRET');
    expect(patch).not.toContain('PRIVATE KEY');
    expect(patch).toContain('+export const a = 10;');
    expect(patch).not.toContain('EXPORT CONST');
  });

  it('cleanup removes the worktree, keeps the branch, and keeps what was not committed as a commit on it', async () => {
    const wt = service();
    const w = (await wt.prepare('j-d', plain, 'app'))!;
    write(w.path, 'a.txt', 'one\n');
    git(w.path, 'add', 'a.txt');
    git(w.path, 'commit', '-q', '-m', 'agent: a');
    write(w.path, 'b.txt', 'left over\n');
    await wt.release('j-d');
    expect(existsSync(w.path)).toBe(false);
    expect(git(repos.main, 'worktree', 'list')).not.toContain('j-d');
    expect(git(repos.main, 'log', '--format=%s', 'hermes/j-d').split('\n').slice(0, 2)).toEqual([
      'hermes: changes job j-d left uncommitted',
      'agent: a',
    ]);
    expect(git(repos.main, 'show', 'hermes/j-d:b.txt')).toBe('left over\n');
    // The .env copy was not committed.
    expect(git(repos.main, 'ls-tree', '-r', '--name-only', 'hermes/j-d')).not.toContain('.env');
    // The change is still known from the branch alone.
    const s = (await wt.summary('j-d'))!;
    expect(s.live).toBe(false);
    expect(s.files.map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
  });

  it('a completed job is pushed to the remote (a local bare repository), never forced', async () => {
    const remote = join(repos.root, 'remote.git');
    git(repos.root, 'init', '-q', '--bare', remote);
    git(repos.main, 'remote', 'add', 'origin', remote);
    const wt = service({ worktree: { on_success: 'push' } });
    const w = (await wt.prepare('j-e', plain, 'app'))!;
    write(w.path, 'README.md', 'pushed\n');
    git(w.path, 'commit', '-q', '-am', 'agent: readme');
    write(w.path, 'notes.txt', 'uncommitted\n');
    const report = (await wt.ended('j-e', 'completed'))!;
    expect(report.text).toContain(`pushed hermes/j-e to origin`);
    expect(git(remote, 'log', '--format=%s', 'hermes/j-e').split('\n')[0]).toBe(
      'hermes: changes job j-e left uncommitted',
    );
    expect(git(remote, 'show', 'hermes/j-e:notes.txt')).toBe('uncommitted\n');
    // Once per job: the retained terminal event seen again after a restart reports nothing.
    expect(await wt.ended('j-e', 'completed')).toBeUndefined();
  });

  it('a remote that moved refuses the push (no force) and the report says so in git words', async () => {
    const remote = join(repos.root, 'remote.git');
    git(repos.root, 'init', '-q', '--bare', remote);
    git(repos.main, 'remote', 'add', 'origin', remote);
    git(repos.main, 'push', '-q', 'origin', 'main:refs/heads/hermes/j-f');
    const wt = service({ worktree: { on_success: 'push' } });
    const w = (await wt.prepare('j-f', plain, 'app'))!;
    // Someone else's commit on the remote branch.
    const other = join(repos.root, 'other');
    git(repos.root, 'clone', '-q', '-b', 'hermes/j-f', remote, other);
    write(other, 'theirs.txt', 'x\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'theirs');
    git(other, 'push', '-q', 'origin', 'hermes/j-f');
    write(w.path, 'mine.txt', 'y\n');
    const report = (await wt.ended('j-f', 'completed'))!;
    expect(report.text).toMatch(/branch hermes\/j-f not pushed to origin: git push failed: .*rejected/);
    expect(git(remote, 'log', '--format=%s', 'hermes/j-f').split('\n')[0]).toBe('theirs');
  });

  it("a turn's end reports the change so far, once per turn event, and the job's end still reports", async () => {
    const wt = service();
    const w = (await wt.prepare('j-t', plain, 'app'))!;
    write(w.path, 'turn1.txt', 'a\n');
    expect((await wt.turnEnded('j-t', 5))!.text).toContain('turn1.txt');
    expect(await wt.turnEnded('j-t', 5)).toBeUndefined();
    write(w.path, 'turn2.txt', 'b\n');
    expect((await wt.turnEnded('j-t', 9))!.summary.files.map((f) => f.path)).toEqual([
      'turn1.txt',
      'turn2.txt',
    ]);
    expect((await wt.ended('j-t', 'completed'))!.text).toContain('2 files changed');
  });

  it('a job that ended in error is not pushed', async () => {
    const wt = service({ worktree: { on_success: 'push' } });
    await wt.prepare('j-g', plain, 'app');
    const report = (await wt.ended('j-g', 'error'))!;
    expect(report.text).toBe('no changes on hermes/j-g (from main)');
  });

  it('a base that does not exist fails with git words and leaves nothing behind', async () => {
    const wt = service({ base: 'release-9' });
    await expect(wt.prepare('j-h', plain, 'app')).rejects.toThrow(
      /base release-9 does not exist in repository app .*: git rev-parse failed: Needed a single revision/,
    );
    expect(store.get('j-h')).toBeUndefined();
    expect(existsSync(join(repos.worktrees, 'j-h'))).toBe(false);
  });

  it('a branch name that is taken fails, and the existing branch is left as it is', async () => {
    git(repos.main, 'branch', 'hermes/j-i');
    const wt = service();
    await expect(wt.prepare('j-i', plain, 'app')).rejects.toThrow(
      "could not create the worktree of job j-i: a branch named 'hermes/j-i' already exists in app",
    );
    expect(git(repos.main, 'branch', '--list', 'hermes/j-i')).toContain('hermes/j-i');
    // Its failed-start cleanup does not touch the branch someone else made.
    await wt.release('j-i', { failedStart: true });
    expect(git(repos.main, 'branch', '--list', 'hermes/j-i')).toContain('hermes/j-i');
  });

  it('a full disk during worktree add is the job error, in git words; the branch git made is deleted', async () => {
    const real = testGit();
    const failing: Git = async (run) => {
      if (run.args[0] === 'worktree' && run.args[1] === 'add') {
        await real(run); // git made the branch and the folder ...
        await real({ cwd: run.cwd, args: ['worktree', 'remove', '--force', String(run.args[4])] });
        throw new Error('git worktree failed: could not write index: No space left on device');
      }
      return real(run);
    };
    const wt = service({}, failing);
    await expect(wt.prepare('j-k', plain, 'app')).rejects.toThrow(/No space left on device/);
    expect(store.get('j-k')).toBeUndefined();
    expect(git(repos.main, 'branch', '--list', 'hermes/j-k')).toBe('');
  });

  it('repository choice: --repo, the profile, or a refusal that names what exists', () => {
    const wt = service();
    expect(wt.repoFor(plain, undefined)).toBeUndefined();
    expect(wt.repoFor({ ...plain, worktree: true, repo: 'app' }, undefined)?.name).toBe('app');
    expect(() => wt.repoFor(plain, 'other')).toThrow('this runner has no repository other (it has: app)');
    expect(() => wt.repoFor({ ...plain, worktree: true }, undefined)).toThrow(
      /name a repository with --repo/,
    );
  });
});
