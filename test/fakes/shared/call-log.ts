/**
 * An append-only log of what an SDK sent to a stand-in, with a way to wait for an entry. Waiting
 * beats sleeping: the test resumes the moment the SDK's request lands, and a timeout says what was
 * expected and what arrived instead.
 */

interface Waiter<T> {
  match: (entry: T) => boolean;
  resolve: (entry: T) => void;
}

export class CallLog<T> {
  readonly entries: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly describe: (entry: T) => string) {}

  add(entry: T): T {
    this.entries.push(entry);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
    return entry;
  }

  /**
   * The first entry, already logged or still to come, that `match` accepts. Pass a predicate on a
   * sequence number (`seq > mark`) to skip entries logged before the step under test.
   */
  waitFor(match: (entry: T) => boolean, timeoutMs: number, expected: string): Promise<T> {
    const found = this.entries.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.entries.map(this.describe).join(', ') || 'nothing';
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${expected}; seen so far: ${seen}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
