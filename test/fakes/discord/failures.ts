/** Failures the Discord stand-in can inject, answered with the status, headers and body Discord uses. */
import type { Json } from './messages.js';

export type DiscordFailure =
  | { status: 429; retryAfter: number; global?: boolean }
  | { status: number; code?: number; message?: string };

export function failureResponse(failure: DiscordFailure): {
  status: number;
  body: Json;
  headers: Record<string, string>;
} {
  if (failure.status === 429 && 'retryAfter' in failure) {
    const after = String(failure.retryAfter);
    return {
      status: 429,
      body: {
        message: 'You are being rate limited.',
        retry_after: failure.retryAfter,
        global: failure.global ?? false,
      },
      headers: {
        'retry-after': after,
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': after,
        'x-ratelimit-bucket': 'fake-bucket',
        'x-ratelimit-scope': failure.global ? 'global' : 'user',
        ...(failure.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }
  const f = failure as { status: number; code?: number; message?: string };
  return {
    status: f.status,
    body: { message: f.message ?? `${f.status}: fake failure`, code: f.code ?? 0 },
    headers: {},
  };
}
