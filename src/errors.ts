/**
 * Coded errors. Every failure a person or a peer can cause carries a code from
 * this list, so the CLI, the relay's audit log and the chat replies can say
 * what happened without parsing messages.
 */
export const ERROR_CODES = {
  // wire / relay verdicts (also audit reasons)
  too_large: 'payload exceeds the size limit',
  malformed: 'not valid JSON',
  schema: 'does not match the v1 schema',
  unknown_job: 'no such job',
  bad_signature: 'signature missing or wrong',
  after_terminal: 'job already ended',
  duplicate: 'seq already seen',
  replay: 'seq outside the replay window',
  seq_jump: 'seq too far above the highest seen',
  stale: 'timestamp outside the allowed clock skew',
  // registry
  illegal_transition: 'job state change not allowed',
  already_decided: 'request already decided',
  unknown_request: 'no such permission request',
  unknown_runner: 'no such runner',
  // operator-facing
  usage: 'bad command line',
  config: 'bad configuration',
  env: 'missing or unreadable environment',
  store: 'database problem',
  broker: 'MQTT broker problem',
  timeout: 'timed out',
  locked: 'another process holds this resource',
  tmux: 'tmux problem',
  git: 'git problem',
  chat: 'chat platform problem',
  forbidden: 'not allowed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HermesError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HermesError';
    this.hint = options?.hint;
  }
  readonly hint: string | undefined;
}

export function isHermesError(e: unknown, code?: ErrorCode): e is HermesError {
  return e instanceof HermesError && (code === undefined || e.code === code);
}

/** Message for an operator: the error's own words plus a hint when one is known. */
export function describeError(e: unknown): string {
  if (e instanceof HermesError) return e.hint ? `${e.message} (${e.hint})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
