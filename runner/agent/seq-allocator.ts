/**
 * Per-job sequence numbers shared by every agent-side process of a job.
 * Each seq is claimed by creating `<dir>/<n>` with O_EXCL, which the kernel
 * (and NFSv3+) makes atomic across processes, so two hooks firing at once
 * never share a seq. A `next` hint file saves scanning; a stale hint only
 * costs a few EEXIST retries. Old claim files are pruned as we go.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const KEEP = 256;

export const seqDir = (home: string, jobId: string): string => join(home, 'jobs', jobId, 'seq');

function readHint(dir: string): number | undefined {
  try {
    const n = Number(readFileSync(join(dir, 'next'), 'utf8'));
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function scanNext(dir: string): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const n = Number(name);
    if (Number.isSafeInteger(n) && n > max) max = n;
  }
  return max + 1;
}

export function allocateSeq(dir: string): number {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let n = readHint(dir) ?? scanNext(dir);
  for (;;) {
    try {
      closeSync(openSync(join(dir, String(n)), 'wx', 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      n++;
    }
  }
  const tmp = join(dir, `next.${process.pid}.tmp`);
  writeFileSync(tmp, String(n + 1));
  renameSync(tmp, join(dir, 'next'));
  if (n > KEEP && n % 64 === 0) prune(dir, n - KEEP);
  return n;
}

function prune(dir: string, below: number): void {
  for (const name of readdirSync(dir)) {
    const n = Number(name);
    if (Number.isSafeInteger(n) && n < below) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // another process pruned it first
      }
    }
  }
}
