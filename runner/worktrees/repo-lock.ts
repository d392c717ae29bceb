/**
 * One git operation at a time per repository, in this process: `worktree
 * add`, `worktree remove` and pushes of two jobs on one repository take the
 * same lock files (`.git/worktrees`, `packed-refs`, `config`); git refuses the
 * second instead of waiting, which would fail a job for no reason.
 */
export class RepoLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(repoPath: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(repoPath) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(repoPath, tail);
    void tail.then(() => {
      if (this.tails.get(repoPath) === tail) this.tails.delete(repoPath);
    });
    return next;
  }
}
