/**
 * The Slack adapter's settings, from the config file's `slack` / `chat` sections (already
 * overlaid with HERMES_SLACK_* by src/config/load.ts) and the secrets from the environment
 * (SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET) or the *_file keys. No Slack SDK here:
 * the bot imports this to decide whether to load the adapter at all.
 */
import { z } from 'zod';
import { type AccessPolicy, nobodyMayRegister } from '../../src/chat/access.js';
import type { Config, Env } from '../../src/config/load.js';
import { HermesError } from '../../src/errors.js';
import { readSecretFile } from '../../src/secrets/token-file.js';

export interface SlackSettings {
  mode: 'socket' | 'http';
  /** HTTP mode: where Bolt listens (endpoint /slack/events). 0 picks a free port. */
  port: number;
  /** Web API base (GovSlack, a stand-in); Slack's own when unset. */
  apiUrl: string | undefined;
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  policy: AccessPolicy;
  defaultChannel: string | undefined;
}

const ids = (what: string, re: RegExp, example: string) =>
  z.array(z.string().regex(re, `${what} must be Slack ids like ${example} (not names)`));

const Lists = z.object({
  allowed_users: ids('allowed_users', /^[UW][A-Z0-9]{2,}$/, 'U0123ABCD'),
  allowed_channels: ids('allowed_channels', /^[CGD][A-Z0-9]{2,}$/, 'C0123ABCD'),
  approvers: ids('approvers', /^[UW][A-Z0-9]{2,}$/, 'U0123ABCD'),
  approver_groups: ids('approver_groups', /^S[A-Z0-9]{2,}$/, 'S0123ABCD'),
  default_channel: z
    .string()
    .regex(/^[CGD][A-Z0-9]{2,}$/, 'default_channel must be a channel id like C0123ABCD')
    .optional(),
});

const Secrets = z.object({
  botToken: z.string().regex(/^xoxb-[\x21-\x7e]+$/, 'SLACK_BOT_TOKEN must be a bot token (xoxb-…)'),
  appToken: z
    .string()
    .regex(/^xapp-[\x21-\x7e]+$/, 'SLACK_APP_TOKEN must be an app-level token (xapp-…)')
    .optional(),
  signingSecret: z
    .string()
    .regex(/^[\x21-\x7e]{8,}$/, 'SLACK_SIGNING_SECRET is not a signing secret')
    .optional(),
});

function secret(env: Env, name: string, file: string | undefined, what: string): string | undefined {
  const value = env[name];
  if (value !== undefined && value !== '') return value.trim();
  return file ? readSecretFile(file, what) : undefined;
}

/** Whether a Slack bot token is configured at all (the bot then starts the adapter). */
export function slackConfigured(config: Config, env: Env): boolean {
  return Boolean(env.SLACK_BOT_TOKEN || config.slack.bot_token_file);
}

/** Everything the adapter needs, validated; throws a HermesError naming the setting to fix. */
export function loadSlackSettings(config: Config, env: Env): SlackSettings {
  const s = config.slack;
  const lists = Lists.safeParse(s);
  if (!lists.success)
    throw new HermesError('config', `slack: ${lists.error.issues.map((i) => i.message).join('; ')}`);
  const secrets = Secrets.safeParse({
    botToken: secret(env, 'SLACK_BOT_TOKEN', s.bot_token_file, 'Slack bot token'),
    appToken: secret(env, 'SLACK_APP_TOKEN', s.app_token_file, 'Slack app token'),
    signingSecret: secret(env, 'SLACK_SIGNING_SECRET', s.signing_secret_file, 'Slack signing secret'),
  });
  // The messages name the variable, never the value.
  if (!secrets.success)
    throw new HermesError('config', secrets.error.issues.map((i) => i.message).join('; '));
  const { botToken, appToken, signingSecret } = secrets.data;
  if (s.mode === 'socket' && !appToken) {
    throw new HermesError(
      'config',
      'Slack Socket Mode needs SLACK_APP_TOKEN (an app-level token xapp-… with connections:write)',
      {
        hint: 'or run in HTTP mode: HERMES_SLACK_MODE=http with SLACK_SIGNING_SECRET',
      },
    );
  }
  if (s.mode === 'http' && !signingSecret) {
    throw new HermesError('config', 'Slack HTTP mode needs SLACK_SIGNING_SECRET to verify requests', {
      hint: 'Basic Information -> App Credentials -> Signing Secret',
    });
  }
  const l = lists.data;
  const policy: AccessPolicy = {
    allowEveryone: config.chat.allow_everyone,
    registerUsers: l.allowed_users,
    registerRoles: [],
    registerChannels: l.allowed_channels,
    approvers: l.approvers,
    approverRoles: l.approver_groups,
  };
  if (nobodyMayRegister(policy)) {
    throw new HermesError(
      'config',
      'Slack: nobody is allowed to register jobs, so the adapter will not start',
      {
        hint:
          'set HERMES_SLACK_ALLOWED_USERS and/or HERMES_SLACK_ALLOWED_CHANNELS (comma-separated ids), and HERMES_SLACK_APPROVERS; ' +
          'or HERMES_ALLOW_EVERYONE=true (chat.allow_everyone) to let everyone in the workspace register and approve',
      },
    );
  }
  return {
    mode: s.mode,
    port: s.port,
    apiUrl: s.api_url,
    botToken,
    appToken: s.mode === 'socket' ? appToken : undefined,
    signingSecret: s.mode === 'http' ? signingSecret : undefined,
    policy,
    defaultChannel: l.default_channel,
  };
}
