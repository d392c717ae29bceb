/**
 * Sealing a job token for one runner: AES-256-GCM under a key derived from
 * the runner's pre-shared key with HKDF-SHA256, the job id as associated
 * data, so a sealed token cannot be replayed for another job or opened by
 * another runner.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { Random } from '../clock.js';
import { HermesError } from '../errors.js';
import type { Sealed } from './schemas.js';

const SALT = Buffer.from('hermes-seal-v1', 'utf8');
const INFO = Buffer.from('job-token', 'utf8');

export function sealingKey(runnerKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(runnerKey, 'utf8'), SALT, INFO, 32));
}

export function sealToken(token: string, runnerKey: string, jobId: string, random: Random): Sealed {
  const iv = random.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(runnerKey), iv);
  cipher.setAAD(Buffer.from(jobId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

export function openSealedToken(sealed: Sealed, runnerKey: string, jobId: string): string {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      sealingKey(runnerKey),
      Buffer.from(sealed.iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(jobId, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch (cause) {
    throw new HermesError(
      'bad_signature',
      `sealed token for job ${jobId} does not open with this runner's key`,
      { cause },
    );
  }
}
