/**
 * Runs tasks one after another per key (a job id), in the order they were added, while different
 * keys run side by side. A job's card, its events and the edits after decisions therefore reach
 * the chat in order, and a slow post for one job never holds up another.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Adds `task` behind everything queued for `key`; resolves or rejects with the task. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued so far (for any key) has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
