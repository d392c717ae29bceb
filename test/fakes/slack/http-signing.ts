/**
 * Signed requests to a Bolt HTTP receiver, made the way Slack makes them: HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}` with the signing secret, hex, in `X-Slack-Signature: v0=…`, the
 * timestamp (seconds) in `X-Slack-Request-Timestamp`. Bolt rejects bad or stale (>5 min) ones with 401.
 */
import { createHmac } from 'node:crypto';

export const FORM = 'application/x-www-form-urlencoded';

export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  /** Seconds since the epoch; now unless told (pass an old one to test staleness). */
  timestamp?: number;
  /** Replaces the computed signature (to test a forged request). */
  signature?: string;
}

export interface SignedPostResult {
  status: number;
  body: string;
  headers: Headers;
}

export async function signedPost(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string = FORM,
  opts: SignedPostOptions = {},
): Promise<SignedPostResult> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(signingSecret, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** A slash command as Slack posts it over HTTP: flat form fields. */
export function slashCommandForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** block_actions / view_submission as Slack posts them over HTTP: one form field `payload=<JSON>`. */
export function interactionForm(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
