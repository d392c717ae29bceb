import { describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
import { openSealedToken, sealToken } from '../../../src/protocol/seal.js';

describe('sealed job tokens', () => {
  const key = 'runner-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  it('open with the same runner key and job id only', () => {
    const sealed = sealToken('the-job-token', key, 'j-1', systemRandom);
    expect(JSON.stringify(sealed)).not.toContain('the-job-token');
    expect(openSealedToken(sealed, key, 'j-1')).toBe('the-job-token');
    expect(() => openSealedToken(sealed, key, 'j-2')).toThrow(/does not open/);
    expect(() => openSealedToken(sealed, `${key}x`, 'j-1')).toThrow(/does not open/);
    const tampered = { ...sealed, ciphertext: Buffer.from('x'.repeat(13)).toString('base64url') };
    expect(() => openSealedToken(tampered, key, 'j-1')).toThrow(/does not open/);
  });
  it('uses a fresh IV each time', () => {
    expect(sealToken('t', key, 'j', systemRandom).iv).not.toBe(sealToken('t', key, 'j', systemRandom).iv);
  });
});
