import { describe, expect, it } from 'vitest';
import { fitOutput, TRUNCATION_MARK } from '../../../../runner/daemon/fit-output.js';
import { resultMessage } from '../../../../runner/daemon/runner-messages.js';

const signer = { prefix: 'hermes', runnerId: 'r1', key: 'k'.repeat(43), clock: { now: () => 0 } };
const build = (output: string) =>
  resultMessage(signer, 1, { command: 'peek', commandSeq: 1, jobId: 'j-1', status: 'done', output });

describe('fitOutput', () => {
  it('keeps output that fits', () => {
    expect(fitOutput('hello\nworld', build, 4096)).toBe('hello\nworld');
  });

  it('keeps the end of long output, marked, within the limit even when escaping inflates it', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `línea ${i} ✓ ${'é'.repeat(10)}`).join('\n');
    const out = fitOutput(lines, build, 8192);
    expect(out.startsWith(TRUNCATION_MARK)).toBe(true);
    expect(out.endsWith('línea 2999 ✓ éééééééééé')).toBe(true);
    expect(Buffer.byteLength(build(out).wire)).toBeLessThanOrEqual(8192);
    expect(Buffer.byteLength(build(out).wire)).toBeGreaterThan(8192 * 0.6);
  });

  it('never starts inside a surrogate pair', () => {
    const out = fitOutput('😀'.repeat(5000), build, 4096);
    expect(out.slice(TRUNCATION_MARK.length).codePointAt(0)).toBe(0x1f600);
  });
});
