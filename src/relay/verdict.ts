/** Drop reasons of the relay pipeline, in the order the steps run. */
export const DROP_REASONS = [
  'too_large',
  'malformed',
  'schema',
  'unknown_job',
  'bad_signature',
  'after_terminal',
  'duplicate',
  'replay',
  'seq_jump',
  'stale',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface Verdict {
  verdict: 'accepted' | 'dropped';
  reason?: DropReason;
  /** Human explanation of a drop (never contains secrets). */
  detail?: string;
  jobId?: string;
  seq?: number;
  event?: string;
  verified?: boolean;
  /** A duplicate whose content differs from what was stored: a forgery or a broken agent. */
  conflict?: boolean;
  /** Something the audit line should say about an accepted or dropped message (a naive time read as UTC). */
  note?: string;
}

export const dropped = (reason: DropReason, detail: string, extra: Partial<Verdict> = {}): Verdict => ({
  verdict: 'dropped',
  reason,
  detail,
  ...extra,
});
