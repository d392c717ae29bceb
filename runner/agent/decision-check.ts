/** Checking a decision message an agent receives: schema, job, request and signature. */
import { HermesError, isHermesError } from '../../src/errors.js';
import { toPlain } from '../../src/protocol/lossless-json.js';
import { DecisionEnvelope, formatIssues } from '../../src/protocol/schemas.js';
import { verifyEnvelope } from '../../src/protocol/signing.js';
import { decodeWire } from '../../src/protocol/wire.js';

export interface CheckedDecision {
  request_id: string;
  decision: 'approve' | 'deny';
  decided_by: string;
  reason?: string;
  scope?: string;
}

/** The decision, or a HermesError naming why the message is not one we may trust. */
export function checkDecision(
  payload: Buffer | string,
  expect: { jobId: string; requestId: string; token: string | null },
): CheckedDecision {
  const tree = decodeWire(payload);
  const r = DecisionEnvelope.safeParse(toPlain(tree));
  if (!r.success) throw new HermesError('schema', `decision: ${formatIssues(r.error)}`);
  const d = r.data;
  if (d.job_id !== expect.jobId)
    throw new HermesError('schema', `decision is for job ${d.job_id}, not ${expect.jobId}`);
  if (d.data.request_id !== expect.requestId)
    throw new HermesError('schema', `decision is for request ${d.data.request_id}`);
  if (expect.token !== null && !verifyEnvelope(tree, expect.token)) {
    throw new HermesError('bad_signature', 'decision signature missing or wrong');
  }
  return {
    request_id: d.data.request_id,
    decision: d.data.decision,
    decided_by: d.data.decided_by,
    ...(d.data.reason !== undefined ? { reason: d.data.reason } : {}),
    ...(typeof d.data.scope === 'string' ? { scope: d.data.scope } : {}),
  };
}

export const isUntrustedDecision = (e: unknown): boolean => isHermesError(e);
