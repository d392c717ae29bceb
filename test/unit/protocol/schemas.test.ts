import { describe, expect, it } from 'vitest';
import { validateAnyEnvelope } from '../../../src/protocol/envelopes.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';

const base = {
  schema_version: 1,
  job_id: 'j-1',
  seq: 1,
  event: 'progress',
  timestamp: '2026-06-21T10:00:00Z',
  data: {},
};
const check = (v: unknown) => validateAnyEnvelope(fromPlain(v) as JsonObject);
const message = (v: unknown) => {
  try {
    check(v);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('v1 envelope schemas', () => {
  it('accepts the events of DESIGN.md, offsets and fractions in timestamps', () => {
    expect(message(base)).toBe('ok');
    expect(message({ ...base, timestamp: '2026-06-21T10:00:00.123456+02:00' })).toBe('ok');
    expect(
      message({
        ...base,
        event: 'permission_required',
        data: { request_id: 'r-1', tool: 'Bash', input: { command: 'x' } },
      }),
    ).toBe('ok');
    expect(
      message({
        ...base,
        event: 'decision',
        data: { request_id: 'r-1', decision: 'approve', decided_by: 'U1' },
      }),
    ).toBe('ok');
  });

  it('names the field that is wrong', () => {
    expect(message({ ...base, seq: -1 })).toMatch(/^seq: /);
    expect(message({ ...base, seq: 1.5 })).toMatch(/^seq: must be an integer/);
    expect(message({ ...base, schema_version: 2 })).toMatch(/^schema_version: must be 1/);
    expect(message({ ...base, timestamp: 'yesterday' })).toMatch(/^timestamp: must be an RFC 3339/);
    expect(message({ ...base, job_id: 'a/b' })).toMatch(/^job_id: /);
    expect(message({ ...base, event: 'permission_required', data: { tool: 'Bash' } })).toMatch(
      /data\.request_id/,
    );
    expect(
      message({ ...base, event: 'decision', data: { request_id: 'r', decision: 'maybe', decided_by: 'U' } }),
    ).toMatch(/data\.decision/);
    expect(message({ ...base, event: 'launch' })).toMatch(/unknown event type "launch"/);
    expect(message({ ...base, data: [] })).toMatch(/^data: /);
  });

  it('refuses seq beyond 2^53 (it could not be compared exactly)', () => {
    expect(message({ ...base, seq: 2 ** 60 })).toMatch(/^seq: /);
  });
});
