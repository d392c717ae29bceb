/**
 * Per-job sequence numbers shared by every agent-side process of a job.
 * Each seq is claimed by creating `<dir>/<n>` with O_EXCL, which the kernel
 * (and NFSv3+) makes atomic across processes, so two hooks firing at once
 * never share a seq. A `next` hint file saves scanning; a stale hint only
 * costs a few EEXIST retries.
 *
 * Old claim files are pruned a block of BLOCK at a time, and pruning is the
 * one way a seq could be handed out twice: a process paused between reading
 * (or writing) the hint and claiming could come back after the others moved
 * on and pruned, find the old number's file gone and claim it again. So a
 * block's marker `pruned/<block>` is created before any of its files is
 * removed and is never removed itself, and a claim counts only if its block
 * has no marker once the file is created: whoever removed an earlier claim
 * of the same number marked its block first. A refused claim rescans the
 * directory for the highest claim. The hint is also never moved backwards,
 * so stale hints are rare in the first place.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Claims are pruned in blocks of this many; the two newest blocks are always kept. */
export const BLOCK = 256;
/** A prune pass runs on claims that are a multiple of this (it also sweeps blocks a crash left). */
const PRUNE_EVERY = 64;

export const seqDir = (home: string, jobId: string): string => join(home, 'jobs', jobId, 'seq');

const blockOf = (n: number): number => Math.floor(n / BLOCK);
const markerOf = (dir: string, block: number): string => join(dir, 'pruned', String(block));

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

/** Creates `<dir>/<n>` for the first free n from `from` on; returns that n. */
function claimFrom(dir: string, from: number): number {
  for (let n = from; ; n++) {
    try {
      closeSync(openSync(join(dir, String(n)), 'wx', 0o600));
      return n;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * The job's next seq; with `floor`, at least that (`hermes publish --seq-from`: another publisher
 * of the job, the old fleet's agent, already used the seqs below it).
 */
export function allocateSeq(dir: string, floor = 1): number {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let n = claimFrom(dir, Math.max(floor, readHint(dir) ?? scanNext(dir)));
  // Checked after the claim, never before: a marker made after this check removed nothing we reuse.
  while (existsSync(markerOf(dir, blockOf(n)))) {
    try {
      unlinkSync(join(dir, String(n)));
    } catch {
      // a pruner took it already
    }
    n = claimFrom(dir, Math.max(floor, scanNext(dir)));
  }
  writeHint(dir, n + 1);
  if (n % PRUNE_EVERY === 0 && blockOf(n) >= 2) prune(dir, blockOf(n) - 1);
  return n;
}

/** Moves the hint forwards only: a process that was paused must not send others back. */
function writeHint(dir: string, next: number): void {
  if ((readHint(dir) ?? 0) >= next) return;
  const tmp = join(dir, `next.${process.pid}.tmp`);
  writeFileSync(tmp, String(next));
  renameSync(tmp, join(dir, 'next'));
}

/** Removes the claim files of every block below `keepFrom`, each block marked first. */
function prune(dir: string, keepFrom: number): void {
  const marked = new Set<number>();
  for (const name of readdirSync(dir)) {
    const n = Number(name);
    if (!Number.isSafeInteger(n) || blockOf(n) >= keepFrom) continue;
    const block = blockOf(n);
    if (!marked.has(block)) {
      mkdirSync(join(dir, 'pruned'), { recursive: true, mode: 0o700 });
      writeFileSync(markerOf(dir, block), '', { mode: 0o600 });
      marked.add(block);
    }
    try {
      unlinkSync(join(dir, name));
    } catch {
      // another process pruned it first
    }
  }
}
