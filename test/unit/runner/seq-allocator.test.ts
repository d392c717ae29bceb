/**
 * Per-job seq allocation: unique and contiguous across processes, also across the pruning of old
 * claim files, and never a number handed out before, whatever a late process writes as the hint.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allocateSeq, BLOCK } from '../../../runner/agent/seq-allocator.js';
import { tempHome } from '../../helpers/cli.js';

const DIST_ALLOCATOR = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'dist',
  'runner',
  'agent',
  'seq-allocator.js',
);

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-seq-'));
});
afterEach(() => cleanup());

/**
 * A child process that allocates `count` seqs as `hermes publish` does, once told to go: it says
 * "ready" on stdout, waits for the go file, and prints its seqs as JSON.
 */
function allocator(dir: string, go: string, count: number) {
  const script = `
    import { existsSync } from 'node:fs';
    import { allocateSeq } from ${JSON.stringify(DIST_ALLOCATOR)};
    process.stdout.write('ready\\n');
    while (!existsSync(${JSON.stringify(go)})) {} // spin: every child starts at the same moment
    const seqs = [];
    for (let i = 0; i < ${count}; i++) seqs.push(allocateSeq(${JSON.stringify(dir)}));
    process.stdout.write(JSON.stringify(seqs) + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
  });
  const done = new Promise<number[]>((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`allocator exited ${code}: ${err}`));
      else resolve(JSON.parse(out.split('\n')[1]!) as number[]);
    }),
  );
  return { ready, done };
}

describe('seq allocation', () => {
  it('4 processes x 300 at once: every seq once, 1..1200 without a gap, across several prunes', async () => {
    const dir = join(home, 'jobs', 'j-1', 'seq');
    const go = join(home, 'go');
    const children = Array.from({ length: 4 }, () => allocator(dir, go, 300));
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const all = (await Promise.all(children.map((c) => c.done))).flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    // Old claims were pruned: the directory holds the newest blocks, not 1200 files.
    const claims = readdirSync(dir).filter((n) => /^\d+$/.test(n));
    expect(claims.length).toBeLessThanOrEqual(2 * BLOCK + 64);
  });

  it('a hint written late by a process paused before writing it never hands out a pruned seq again', () => {
    const dir = join(home, 'jobs', 'j-2', 'seq');
    for (let i = 1; i <= 3 * BLOCK; i++) expect(allocateSeq(dir)).toBe(i);
    expect(existsSync(join(dir, '5'))).toBe(false); // pruned
    // What a process that claimed 4 and then stalled would write once it runs again.
    writeFileSync(join(dir, 'next'), '5');
    expect(allocateSeq(dir)).toBe(3 * BLOCK + 1);
    expect(allocateSeq(dir)).toBe(3 * BLOCK + 2);
  });
});
