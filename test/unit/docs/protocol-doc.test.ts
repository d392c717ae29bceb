/** docs/protocol.md must say what the code does: every example and table is checked here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateAnyEnvelope } from '../../../src/protocol/envelopes.js';
import { signingInput, verifyEnvelope } from '../../../src/protocol/signing.js';
import { topics } from '../../../src/protocol/topics.js';
import { decodeWire } from '../../../src/protocol/wire.js';
import { DROP_REASONS } from '../../../src/relay/verdict.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'protocol.md'), 'utf8');

function section(name: string): string {
  const m = doc.match(new RegExp(`<!-- ${name} -->([\\s\\S]*?)<!-- /${name} -->`));
  if (!m) throw new Error(`docs/protocol.md lacks the ${name} section`);
  return m[1]!;
}

const examples = [
  ...doc.matchAll(/<!-- example: (\w+) key=(\S+) -->\s*```json\n(.*?)\n```[\s\S]*?```text\n(.*?)\n```/g),
].map((m) => ({
  name: m[1]!,
  key: m[2]!,
  wire: m[3]!,
  canonical: m[4]!,
}));

describe('docs/protocol.md matches the code', () => {
  it('has its worked examples', () => {
    expect(examples.map((e) => e.name)).toEqual(['event', 'decision', 'runner_command']);
  });

  for (const ex of examples) {
    it(`example ${ex.name}: canonical text, signature and schema`, () => {
      const tree = decodeWire(ex.wire);
      expect(signingInput(tree)).toBe(ex.canonical);
      expect(verifyEnvelope(tree, ex.key)).toBe(true);
      expect(verifyEnvelope(tree, `${ex.key}x`)).toBe(false);
      expect(() => validateAnyEnvelope(tree)).not.toThrow();
      expect(ex.wire).not.toMatch(/auth_token/);
    });
  }

  it('lists exactly the relay drop reasons, in pipeline order', () => {
    const listed = [...section('reasons').matchAll(/^\| \w+ \| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual([...DROP_REASONS]);
  });

  it('lists the topics the code uses', () => {
    const listed = [...section('topics').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual([
      topics.jobEvents('hermes', '{job_id}'),
      topics.decision('hermes', '{job_id}', '{request_id}'),
      topics.runnerCommands('hermes', '{runner_id}'),
      topics.runnerResults('hermes', '{runner_id}'),
      topics.runnerStatus('hermes', '{runner_id}'),
    ]);
  });
});
