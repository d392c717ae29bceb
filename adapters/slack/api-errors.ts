/**
 * A failed Web API call of the port (post, edit, permalink) in words a person can act on. The
 * WebClient's own message ("An API error occurred: not_in_channel") ends up in replies such as
 * "Could not post in this channel (…)"; Slack's error code stays in the text so it can be searched
 * for, followed by what it means here. The original error is kept as the cause for the log.
 */
import { HermesError } from '../../src/errors.js';

/** Slack error codes a chat.postMessage / chat.update / chat.getPermalink can answer with. */
const MEANING: Record<string, string> = {
  not_in_channel: 'the bot is not a member of this channel',
  channel_not_found: 'the channel does not exist or the bot cannot see it',
  is_archived: 'the channel is archived',
  restricted_action: 'a workspace setting does not let the bot post here',
  message_not_found: 'the message no longer exists',
  cant_update_message: 'the bot may not edit this message',
  edit_window_closed: 'the message is too old to edit',
  msg_too_long: 'the message is too long',
  missing_scope: 'the app lacks a permission; reinstall it from manifest.yml',
  invalid_auth: 'the bot token was refused; check SLACK_BOT_TOKEN',
  not_authed: 'the bot token was refused; check SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked; check SLACK_BOT_TOKEN',
  account_inactive: 'the bot token was revoked; check SLACK_BOT_TOKEN',
  ratelimited: 'Slack is rate limiting the bot',
};

export function slackCallError(e: unknown): Error {
  const err = e as { code?: string; data?: { error?: string }; original?: Error; message?: string };
  if (err?.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    const meaning = MEANING[code];
    return new HermesError('chat', `Slack said ${code}${meaning ? `: ${meaning}` : ''}`, { cause: e });
  }
  if (err?.code === 'slack_webapi_request_error' || err?.code === 'slack_webapi_http_error') {
    const reason = err.original?.message ?? err.message ?? 'request failed';
    return new HermesError('chat', `the Slack API is unreachable: ${reason}`, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** Runs one Web API call, turning its failure into `slackCallError`. */
export async function slackCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw slackCallError(e);
  }
}
