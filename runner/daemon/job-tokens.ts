/**
 * The job tokens the runner holds: opened from sealed `start` commands, kept
 * in memory and in the job's 0600 token file (which the agent reads). The
 * runner uses them to sign the events it publishes for a job (start
 * failures, vanished sessions) and to verify the events it follows.
 */
import { HermesError } from '../../src/errors.js';
import { readSecretFile } from '../../src/secrets/token-file.js';
import { tokenFilePath } from '../job-files.js';
import type { DaemonState } from './daemon-state.js';

export class JobTokens {
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly home: string,
    private readonly state: Pick<DaemonState, 'job'>,
  ) {}

  remember(jobId: string, token: string | null): void {
    this.cache.set(jobId, token);
  }

  forget(jobId: string): void {
    this.cache.delete(jobId);
  }

  /** The job's token, null for a job registered without auth; throws when the runner cannot know it. */
  get(jobId: string): string | null {
    const cached = this.cache.get(jobId);
    if (cached !== undefined) return cached;
    const job = this.state.job(jobId);
    if (!job) throw new HermesError('unknown_job', `runner holds no token for job ${jobId}`);
    const token = job.auth === 'none' ? null : readSecretFile(tokenFilePath(this.home, jobId), 'job token');
    this.cache.set(jobId, token);
    return token;
  }
}
