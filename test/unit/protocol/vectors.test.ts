import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signingInput, verifyEnvelope } from '../../../src/protocol/signing.js';
import { decodeWire } from '../../../src/protocol/wire.js';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { loadVectors } from '../../helpers/vectors.js';

const vectors = loadVectors();
const { home, cleanup } = tempHome();
afterAll(cleanup);

describe('shared signing vectors (made by Python json + hmac)', () => {
  it('has vectors, valid and invalid ones', () => {
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThan(0);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThan(0);
  });

  for (const v of vectors) {
    it(`library: ${v.name}`, () => {
      const tree = decodeWire(Buffer.from(v.wire, 'utf8'));
      expect(signingInput(tree)).toBe(v.canonical);
      expect(verifyEnvelope(tree, v.token)).toBe(v.valid);
    });

    it(`CLI event verify: ${v.name}`, async () => {
      const tokenFile = join(home, `token-${vectors.indexOf(v)}`);
      writeFileSync(tokenFile, `${v.token}\n`, { mode: 0o600 });
      const r = await runHermes(['event', 'verify', '--token-file', tokenFile], {
        env: { HERMES_HOME: home },
        stdin: v.wire,
      });
      expect(r.code).toBe(v.valid ? 0 : 1);
      if (!v.valid) expect(r.stderr).toMatch(/^invalid: bad_signature/);
    });
  }

  it('CLI event sign reproduces the signature of every valid vector', async () => {
    for (const v of vectors.filter((x) => x.valid)) {
      const tokenFile = join(home, 'sign-token');
      writeFileSync(tokenFile, v.token, { mode: 0o600 });
      const unsigned = JSON.parse(v.wire);
      const sig = unsigned.data.hmac_sig;
      delete unsigned.data.hmac_sig;
      // re-serialise the way Python wrote it so float lexemes (1.0) survive
      const text = v.wire
        .replace(/"hmac_sig": "[0-9a-f]{64}"/, '"_": 0')
        .replace(/, "_": 0|"_": 0, |"_": 0/, '');
      const r = await runHermes(['event', 'sign', '--token-file', tokenFile], {
        env: { HERMES_HOME: home },
        stdin: text,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const signed = decodeWire(r.stdout.trim());
      expect((signed.get('data') as Map<string, unknown>).get('hmac_sig')).toBe(sig);
    }
  });

  it('CLI event sign refuses a number it could not write back exactly (1e400), signing nothing', async () => {
    const tokenFile = join(home, 'sign-token-huge');
    writeFileSync(tokenFile, 'sign-huge-token-0123456789abcdef', { mode: 0o600 });
    const r = await runHermes(['event', 'sign', '--token-file', tokenFile], {
      env: { HERMES_HOME: home },
      stdin:
        '{"schema_version":1,"job_id":"job_1","seq":1,"event":"progress","timestamp":"2026-01-01T00:00:00Z","data":{"huge":1e400}}',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('huge: 1e400 would be sent as Infinity');
    expect(r.stdout).toBe('');
  });
});
