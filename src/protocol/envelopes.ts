/** Pick the schema for an envelope by its `event` field, and validate it. */
import type { z } from 'zod';
import { HermesError } from '../errors.js';
import { type JsonObject, toPlain } from './lossless-json.js';
import {
  DecisionEnvelope,
  EVENT_TYPES,
  EventEnvelope,
  formatIssues,
  RUNNER_COMMANDS,
  RunnerCommandEnvelope,
  RunnerResultEnvelope,
  RunnerStatusEnvelope,
} from './schemas.js';

export type EnvelopeKind = 'event' | 'decision' | 'runner_command' | 'runner_result' | 'runner_status';

export function envelopeKindOf(tree: JsonObject): { kind: EnvelopeKind; schema: z.ZodType } | undefined {
  const ev = tree.get('event');
  if (typeof ev !== 'string') return undefined;
  if ((EVENT_TYPES as readonly string[]).includes(ev)) return { kind: 'event', schema: EventEnvelope };
  if (ev === 'decision') return { kind: 'decision', schema: DecisionEnvelope };
  if ((RUNNER_COMMANDS as readonly string[]).includes(ev))
    return { kind: 'runner_command', schema: RunnerCommandEnvelope };
  if (ev === 'result') return { kind: 'runner_result', schema: RunnerResultEnvelope };
  if (ev === 'status') return { kind: 'runner_status', schema: RunnerStatusEnvelope };
  return undefined;
}

/** Validate any known envelope; the error names the field that is wrong. */
export function validateAnyEnvelope(tree: JsonObject): { kind: EnvelopeKind; value: unknown } {
  const found = envelopeKindOf(tree);
  if (!found) {
    const ev = tree.get('event');
    throw new HermesError(
      'schema',
      `event: ${typeof ev === 'string' ? `unknown event type ${JSON.stringify(ev)}` : 'missing or not a string'}`,
    );
  }
  const r = found.schema.safeParse(toPlain(tree));
  if (!r.success) throw new HermesError('schema', formatIssues(r.error));
  return { kind: found.kind, value: r.data };
}
