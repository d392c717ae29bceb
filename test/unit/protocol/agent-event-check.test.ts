/**
 * The agent's hand-written event check (runner/agent/check-event.ts) must refuse exactly what the
 * bot's zod schema refuses: a stricter check would block events the bot takes, a looser one lets
 * `hermes publish` report success for events the bot drops.
 */
import { describe, expect, it } from 'vitest';
import { checkWireSize, eventDataIssues } from '../../../runner/agent/check-event.js';
import { type JsonObject, parseLossless } from '../../../src/protocol/lossless-json.js';
import { EventEnvelope } from '../../../src/protocol/schemas.js';
import { DEFAULT_MAX_WIRE_BYTES } from '../../../src/protocol/wire.js';

const perm = { request_id: 'r-1', tool: 'Bash', input: null };
const CASES: Array<[string, Record<string, unknown>]> = [
  ['progress', {}],
  ['progress', { anything: [1, { b: null }] }],
  ['progress', { hmac_sig: 5 }],
  ['completed', { request_id: 'not/an/id' }],
  ['permission_required', {}],
  ['permission_required', perm],
  ['permission_required', { ...perm, input: { command: 'npm test' } }],
  ['permission_required', { request_id: 'r-1', tool: 'Bash' }],
  ['permission_required', { ...perm, tool: '' }],
  ['permission_required', { ...perm, tool: 5 }],
  ['permission_required', { request_id: 'r-1', input: 1 }],
  ['permission_required', { tool: 'Bash', input: 1 }],
  ['permission_required', { ...perm, request_id: 'r/1' }],
  ['permission_required', { ...perm, request_id: '-r' }],
  ['permission_required', { ...perm, request_id: 'r'.repeat(128) }],
  ['permission_required', { ...perm, request_id: 'r'.repeat(129) }],
  ['permission_required', { ...perm, request_id: 7 }],
  ['permission_required', { ...perm, request_id: null }],
  ['permission_required', { ...perm, expires_at: '2026-06-21T10:00:00Z' }],
  ['permission_required', { ...perm, expires_at: '2026-06-21t10:00:00.5+02:00' }],
  ['permission_required', { ...perm, expires_at: '2026-06-21 10:00:00Z' }],
  ['permission_required', { ...perm, expires_at: '2026-13-45T10:00:00Z' }],
  ['permission_required', { ...perm, expires_at: 'tomorrow' }],
  ['permission_required', { ...perm, expires_at: null }],
  ['permission_required', { ...perm, expires_at: 1_750_000_000 }],
  ['permission_required', { ...perm, hmac_sig: false }],
];

describe('agent-side event check', () => {
  it.each(CASES)('%s %j: refused exactly when the bot schema refuses it', (event, data) => {
    const envelope = {
      schema_version: 1,
      job_id: 'j-1',
      seq: 1,
      event,
      timestamp: '2026-06-21T10:00:00Z',
      data,
    };
    const bot = EventEnvelope.safeParse(envelope).success;
    const agent = eventDataIssues(event, parseLossless(JSON.stringify(data)) as JsonObject);
    expect(agent.length === 0).toBe(bot);
  });

  it('refuses a new request id with a dot, which the bot still takes from older agents', () => {
    const issues = eventDataIssues(
      'permission_required',
      parseLossless(JSON.stringify({ ...perm, request_id: 'r.1' })) as JsonObject,
    );
    expect(issues).toEqual([expect.stringMatching(/^data\.request_id: .*no "\."/)]);
  });

  it('names every field at fault', () => {
    expect(eventDataIssues('permission_required', new Map())).toEqual([
      'data.request_id: must be a string, is missing',
      'data.tool: must be a string, is missing',
      'data.input: is required (any JSON; null when there is none)',
    ]);
  });

  it('refuses wire text over the limit, counting bytes, not characters', () => {
    expect(() => checkWireSize('a'.repeat(DEFAULT_MAX_WIRE_BYTES), DEFAULT_MAX_WIRE_BYTES)).not.toThrow();
    expect(() => checkWireSize('a'.repeat(DEFAULT_MAX_WIRE_BYTES + 1), DEFAULT_MAX_WIRE_BYTES)).toThrow(
      /65537 bytes on the wire, over the limit of 65536/,
    );
    expect(() => checkWireSize('é'.repeat(40_000), DEFAULT_MAX_WIRE_BYTES)).toThrow(/80000 bytes/);
  });
});
