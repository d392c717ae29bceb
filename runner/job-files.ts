/**
 * Per-job files under `$HERMES_HOME/jobs/<jobId>/`: the job token the agent
 * signs with, handed over as a 0600 file (never argv, never the environment).
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { HermesError } from '../src/errors.js';
import { ID_RE } from '../src/protocol/topics.js';

/** ID_RE starts with a letter or digit and has no `/`, so `.` / `..` cannot escape the jobs folder. */
export function jobDir(home: string, jobId: string): string {
  if (!ID_RE.test(jobId)) throw new HermesError('usage', `not a valid job id: ${JSON.stringify(jobId)}`);
  return join(home, 'jobs', jobId);
}

export const tokenFilePath = (home: string, jobId: string): string => join(jobDir(home, jobId), 'token');

/**
 * Write the token to `jobs/<jobId>/token` (folder 0700, file 0600) by
 * temp file + rename, so a reader never sees a half-written token and an
 * existing token is replaced whole. Returns the path.
 */
export function writeTokenFile(home: string, jobId: string, token: string): string {
  if (token.length === 0 || /[\0\n]/.test(token))
    throw new HermesError('usage', 'a job token must be one non-empty line');
  return writePrivateJobFile(home, jobId, 'token', token);
}

/**
 * Write one of the job's files (`jobs/<jobId>/<name>`, folder 0700, file 0600) whole: temp file,
 * fsync, rename. Returns the path.
 */
export function writePrivateJobFile(home: string, jobId: string, name: string, text: string): string {
  const dir = jobDir(home, jobId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new HermesError('env', `${dir} exists and is not a directory`);
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}`);
  // 'wx': never follow or reuse something already there.
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}

/** Remove the job's folder (token included). Missing is fine. */
export function removeJobFiles(home: string, jobId: string): void {
  rmSync(jobDir(home, jobId), { recursive: true, force: true });
}
