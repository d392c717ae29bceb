/**
 * Events whose delivery outcome is unknown (the broker took the PUBLISH but sent no PUBACK before
 * the deadline), kept as the exact signed wire under `<home>/jobs/<id>/unsent/<seq>.json` (0600).
 * `hermes publish --resend SEQ` sends those same bytes again: the bot drops an identical repeat
 * quietly as a duplicate, so re-sending is always safe, where publishing anew would take a new seq
 * and store the event twice.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HermesError } from '../../src/errors.js';
import type { BuiltEvent } from './build-event.js';

const unsentDir = (home: string, jobId: string): string => join(home, 'jobs', jobId, 'unsent');
const fileOf = (home: string, jobId: string, seq: number) => join(unsentDir(home, jobId), `${seq}.json`);

export function saveUnsent(home: string, jobId: string, built: BuiltEvent): string {
  const dir = unsentDir(home, jobId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = fileOf(home, jobId, built.seq);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(built), { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

export function loadUnsent(home: string, jobId: string, seq: number): BuiltEvent {
  let text: string;
  try {
    text = readFileSync(fileOf(home, jobId, seq), 'utf8');
  } catch {
    throw new HermesError('usage', `publish --resend: no unsent event with seq ${seq} for job ${jobId}`, {
      hint: `only an event whose outcome was unknown (exit ${PUBLISH_UNKNOWN_EXIT}) is kept for --resend`,
    });
  }
  const built = JSON.parse(text) as BuiltEvent;
  if (built.seq !== seq || typeof built.wire !== 'string' || typeof built.topic !== 'string')
    throw new HermesError('env', `publish --resend: ${fileOf(home, jobId, seq)} is damaged`);
  return built;
}

export function dropUnsent(home: string, jobId: string, seq: number): void {
  rmSync(fileOf(home, jobId, seq), { force: true });
}

/** `hermes publish` exit status when the broker may or may not have the event (EX_TEMPFAIL). */
export const PUBLISH_UNKNOWN_EXIT = 75;
