/**
 * The bot saw a hole in a job's events (a later seq arrived, earlier ones never did: a broker
 * node acknowledged them and died) and asks for them again. They come from the relay's outbox,
 * which keeps sent rows for its retention period; an agent that published straight to the broker
 * left nothing here, and the answer says so (the bot then shows the gap as unrepairable).
 */
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import type { LocalRelay } from '../relay/local-relay.js';
import type { ResultFields } from './runner-messages.js';

/** Most events one resend may ask for; a larger hole is asked for in parts. */
export const MAX_RESEND_RANGE = 10_000;

export function resendEvents(
  cmd: RunnerCommandEnvelope,
  relay: Pick<LocalRelay, 'resend'> | undefined,
): ResultFields {
  const base = {
    command: cmd.event,
    commandSeq: cmd.seq,
    jobId: cmd.job_id,
    // The bot matches the answer to its question by this.
    ...(cmd.data.request_id !== undefined ? { requestId: cmd.data.request_id } : {}),
  };
  const from = cmd.data.from;
  const to = cmd.data.to;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || (from as number) > (to as number)) {
    return { ...base, status: 'rejected', reason: 'resend needs integer data.from <= data.to' };
  }
  if ((to as number) - (from as number) >= MAX_RESEND_RANGE)
    return { ...base, status: 'rejected', reason: `resend asks for more than ${MAX_RESEND_RANGE} events` };
  if (!relay) return { ...base, status: 'rejected', reason: 'no local relay: no outbox to resend from' };
  const n = relay.resend(cmd.job_id, from as number, to as number);
  if (n === 0) return { ...base, status: 'rejected', reason: 'none of these events is in the outbox' };
  return {
    ...base,
    status: 'done',
    reason: `${n} of ${(to as number) - (from as number) + 1} events sent again`,
  };
}
