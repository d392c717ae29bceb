import { describe, expect, it } from 'vitest';
import { fitOutput, fitPolicy, TRUNCATION_MARK } from '../../../../runner/daemon/fit-output.js';
import { resultPublisher } from '../../../../runner/daemon/result-publisher.js';
import { resultMessage } from '../../../../runner/daemon/runner-messages.js';
import type { StartPolicyData } from '../../../../src/protocol/schemas.js';

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

describe('a diff result with its patch (resultPublisher)', () => {
  const published: string[] = [];
  const publish = resultPublisher({
    bus: {
      publish: async (_t, wire) => {
        published.push(wire.toString());
      },
    },
    signer,
    state: { nextResultSeq: () => published.length + 1 },
    maxBytes: 8192,
  });
  const data = (wire: string) => (JSON.parse(wire) as { data: Record<string, unknown> }).data;
  const diff = (patch: string) =>
    publish({ command: 'diff', commandSeq: 0, jobId: 'j-1', status: 'done', output: 'a.ts +1 -0', patch });

  it('sends a patch that fits whole, with its size', async () => {
    await diff('diff --git a/a.ts b/a.ts\n+x\n');
    expect(data(published.at(-1)!)).toMatchObject({
      patch: 'diff --git a/a.ts b/a.ts\n+x\n',
      patch_bytes: 28,
    });
  });

  it("cuts a long one at a line's end to fit the message, keeping its beginning and whole size", async () => {
    const patch = Array.from({ length: 2000 }, (_, i) => `+line ${i} é`).join('\n');
    await diff(patch);
    const wire = published.at(-1)!;
    const d = data(wire);
    expect(Buffer.byteLength(wire)).toBeLessThanOrEqual(8192);
    expect(patch.startsWith(String(d.patch))).toBe(true);
    expect(String(d.patch).endsWith('\n')).toBe(true);
    expect(d.patch_bytes).toBe(Buffer.byteLength(patch));
    expect(d.output).toBe('a.ts +1 -0');
  });

  it('leaves it out, saying its size, when not a line fits', async () => {
    await diff('x'.repeat(20_000));
    expect(data(published.at(-1)!)).toMatchObject({ patch_bytes: 20_000 });
    expect(data(published.at(-1)!).patch).toBeUndefined();
  });
});

describe('fitPolicy', () => {
  const policy = (n: number): StartPolicyData => ({
    hardline: ['mkfs'],
    rules: Array.from({ length: n }, (_, i) => ({
      rule: `Bash(tool-${i} ${'é'.repeat(20)}:*)`,
      kind: 'allow',
      origin: 'profile',
    })),
  });
  const buildStart = (p: StartPolicyData) =>
    resultMessage(signer, 1, {
      command: 'start',
      commandSeq: 1,
      jobId: 'j-1',
      status: 'accepted',
      policy: p,
    });

  it('keeps a policy that fits as it is', () => {
    expect(fitPolicy(policy(3), buildStart, 8192)).toEqual(policy(3));
  });

  it('keeps the first rules that fit and counts the rest as omitted', () => {
    const fitted = fitPolicy(policy(2000), buildStart, 8192);
    const size = Buffer.byteLength(buildStart(fitted).wire);
    expect(size).toBeLessThanOrEqual(8192);
    expect(fitted.rules.length).toBeGreaterThan(10);
    expect(fitted.rules).toEqual(policy(2000).rules.slice(0, fitted.rules.length));
    expect(fitted.omitted).toBe(2000 - fitted.rules.length);
    expect(fitted.hardline).toEqual(['mkfs']);
    // One more rule would not have fitted.
    const more = { ...fitted, rules: policy(2000).rules.slice(0, fitted.rules.length + 1) };
    expect(Buffer.byteLength(buildStart(more).wire)).toBeGreaterThan(8192);
  });
});
