/**
 * Follow-ups waiting for a job's wrapper: `$HERMES_HOME/jobs/<id>/followups/`,
 * one JSON file per message, named by the runner command's seq so they are
 * read in the order the bot sent them. The runner writes them (temp file and
 * rename, so a reader never sees half a message) when it accepts a signed
 * `followup` command; `hermes run` reads and removes them when the agent's
 * turn is over. A reply sent while a turn runs simply waits here.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobDir } from './job-files.js';

export type FollowupMessage = { kind: 'reply'; text: string; by: string } | { kind: 'done'; by: string };

export const mailboxDir = (home: string, jobId: string): string => join(jobDir(home, jobId), 'followups');

const NAME_RE = /^\d{16}\.json$/;

export function postFollowup(home: string, jobId: string, seq: number, m: FollowupMessage): void {
  const dir = mailboxDir(home, jobId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${String(seq).padStart(16, '0')}.json`;
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}`);
  writeFileSync(tmp, JSON.stringify(m), { mode: 0o600, flag: 'wx' });
  renameSync(tmp, join(dir, name));
}

function parse(text: string): FollowupMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const by = typeof o.by === 'string' ? o.by : 'someone';
  if (o.kind === 'done') return { kind: 'done', by };
  if (o.kind === 'reply' && typeof o.text === 'string' && o.text !== '')
    return { kind: 'reply', text: o.text, by };
  return undefined;
}

/**
 * Takes the oldest waiting message out of the mailbox (undefined when it is empty). A file that
 * does not parse is removed and reported through `onBad`, never retried forever.
 */
export function takeFollowup(
  home: string,
  jobId: string,
  onBad: (file: string) => void = () => {},
): FollowupMessage | undefined {
  const dir = mailboxDir(home, jobId);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => NAME_RE.test(n))
      .sort();
  } catch {
    return undefined;
  }
  for (const n of names) {
    const file = join(dir, n);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    rmSync(file, { force: true });
    const m = parse(text);
    if (m) return m;
    onBad(file);
  }
  return undefined;
}
