/**
 * The bot's rules for an agent event (src/protocol/schemas.ts, EventEnvelope, and the wire size
 * limit), checked by hand before publishing. An event the bot would drop as `schema` or
 * `too_large` is refused here with the reason, instead of being published, dropped quietly at the
 * bot and reported as success. Hand-written because zod is kept off the agent's start-up path (see
 * agent-env.ts); test/unit/protocol/agent-event-check.test.ts holds it to the zod schema.
 *
 * Only what the caller can get wrong is checked: the envelope fields other than `detail` and
 * `data` are built by Hermes itself.
 */
import { HermesError } from '../../src/errors.js';
import { JsonNumber, type JsonObject, type JsonValue } from '../../src/protocol/lossless-json.js';
import { NEW_ID_RE, NEW_ID_RULE } from '../../src/protocol/topics.js';

/** The same pattern as schemas.ts's Timestamp. */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return 'a number';
  if (v instanceof Map) return 'an object';
  return Array.isArray(v) ? 'an array' : typeof v === 'string' ? 'a string' : 'a boolean';
}

/** Every reason the bot's schema would give for this event's data, as "data.field: why". */
export function eventDataIssues(event: string, data: JsonObject): string[] {
  const issues: string[] = [];
  const sig = data.get('hmac_sig');
  if (sig !== undefined && typeof sig !== 'string') issues.push(`data.hmac_sig: must be a string`);
  if (event !== 'permission_required') return issues;
  const requestId = data.get('request_id');
  if (typeof requestId !== 'string')
    issues.push(`data.request_id: must be a string, is ${describe(requestId)}`);
  else if (!NEW_ID_RE.test(requestId)) issues.push(`data.request_id: ${NEW_ID_RULE}`);
  const tool = data.get('tool');
  if (typeof tool !== 'string') issues.push(`data.tool: must be a string, is ${describe(tool)}`);
  else if (tool.length === 0) issues.push('data.tool: must name the tool');
  // Any JSON, but present: null for a tool that takes no input.
  if (!data.has('input')) issues.push('data.input: is required (any JSON; null when there is none)');
  const expires = data.get('expires_at');
  if (expires !== undefined) {
    if (typeof expires !== 'string')
      issues.push(`data.expires_at: must be a string, is ${describe(expires)}`);
    else if (!RFC3339_RE.test(expires) || Number.isNaN(Date.parse(expires)))
      issues.push('data.expires_at: must be an RFC 3339 timestamp like 2026-06-21T10:00:00Z');
  }
  return issues;
}

/** Throws what the bot would drop this event for (`schema`), before anything is sent. */
export function checkEventData(event: string, data: JsonObject): void {
  const issues = eventDataIssues(event, data);
  if (issues.length > 0) {
    const hint =
      event === 'permission_required'
        ? 'permission_required needs --data with request_id and tool, e.g. {"request_id":"r-1","tool":"Bash","input":{"command":"npm test"}}; `hermes ask` builds it for you'
        : undefined;
    throw new HermesError('schema', `the bot would drop this ${event} event: ${issues.join('; ')}`, { hint });
  }
}

/** Throws when the wire text is over the bot's size limit (`too_large`). */
export function checkWireSize(wire: string, maxBytes: number): void {
  const size = Buffer.byteLength(wire, 'utf8');
  if (size > maxBytes) {
    throw new HermesError(
      'too_large',
      `the event is ${size} bytes on the wire, over the limit of ${maxBytes}; the bot would drop it`,
      { hint: 'shorten --detail or --data' },
    );
  }
}
