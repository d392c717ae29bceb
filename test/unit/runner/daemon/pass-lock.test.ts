import { describe, expect, it } from 'vitest';
import { PassLock } from '../../../../runner/daemon/pass-lock.js';

/** A promise and the function that settles it, to hold a task open while the test looks. */
function gate() {
  let open: () => void = () => {};
  const done = new Promise<void>((r) => {
    open = r;
  });
  return { done, open };
}

describe('PassLock', () => {
  it('lets starts run together, makes a pass wait for them, and holds new starts during the pass', async () => {
    const lock = new PassLock();
    const log: string[] = [];
    const s1 = gate();
    const s2 = gate();
    const start1 = lock.shared(async () => {
      log.push('start1 in');
      await s1.done;
      log.push('start1 out');
    });
    const start2 = lock.shared(async () => {
      log.push('start2 in');
      await s2.done;
      log.push('start2 out');
    });
    const p = gate();
    const pass = lock.exclusive(async () => {
      log.push('pass in');
      await p.done;
      log.push('pass out');
    });
    const late = lock.shared(async () => {
      log.push('late start');
    });
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start1 in', 'start2 in']);
    s1.open();
    s2.open();
    await Promise.all([start1, start2]);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start1 in', 'start2 in', 'start1 out', 'start2 out', 'pass in']);
    p.open();
    await Promise.all([pass, late]);
    expect(log.slice(-2)).toEqual(['pass out', 'late start']);
  });

  it('runs passes one after another, and a failing pass does not block the next', async () => {
    const lock = new PassLock();
    const order: number[] = [];
    const a = lock.exclusive(async () => {
      order.push(1);
      throw new Error('boom');
    });
    const b = lock.exclusive(async () => {
      order.push(2);
    });
    await expect(a).rejects.toThrow('boom');
    await b;
    expect(order).toEqual([1, 2]);
  });
});
