import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSlackSettings, slackConfigured } from '../../../../adapters/slack/settings.js';
import { loadConfig } from '../../../../src/config/load.js';
import { isHermesError } from '../../../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function load(env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-slack-settings-'));
  dirs.push(home);
  const full = { HERMES_HOME: home, ...env };
  return { config: loadConfig({ env: full }), env: full, home };
}

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_APP_TOKEN: 'xapp-1-abc',
  HERMES_SLACK_ALLOWED_CHANNELS: 'C0JOBS',
};

function error(env: Record<string, string>): string {
  const { config, env: full } = load(env);
  try {
    loadSlackSettings(config, full);
  } catch (e) {
    if (isHermesError(e)) return `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    throw e;
  }
  return 'no error';
}

describe('Slack settings', () => {
  it('is configured only when a bot token is there', () => {
    const { config } = load({});
    expect(slackConfigured(config, {})).toBe(false);
    expect(slackConfigured(config, { SLACK_BOT_TOKEN: 'xoxb-1' })).toBe(true);
  });

  it('reads modes, lists and secrets; the environment wins over files', () => {
    const { config, env, home } = load({
      ...base,
      HERMES_SLACK_ALLOWED_USERS: 'U01, U02',
      HERMES_SLACK_APPROVERS: 'U03',
      HERMES_SLACK_APPROVER_GROUPS: 'S0OPS',
      HERMES_SLACK_DEFAULT_CHANNEL: 'C0DEF',
    });
    const s = loadSlackSettings(config, env);
    expect(s).toMatchObject({
      mode: 'socket',
      port: 3000,
      botToken: 'xoxb-1-abc',
      appToken: 'xapp-1-abc',
      defaultChannel: 'C0DEF',
    });
    expect(s.policy).toEqual({
      allowEveryone: false,
      registerUsers: ['U01', 'U02'],
      registerRoles: [],
      registerChannels: ['C0JOBS'],
      approvers: ['U03'],
      approverRoles: ['S0OPS'],
    });
    const file = join(home, 'signing');
    writeFileSync(file, 'secret-from-file\n', { mode: 0o600 });
    writeFileSync(join(home, 'config.yaml'), `slack:\n  mode: http\n  signing_secret_file: ${file}\n`);
    const http = load({ HERMES_HOME: home, ...base });
    const h = loadSlackSettings(loadConfig({ env: { ...http.env, HERMES_HOME: home } }), {
      ...http.env,
      HERMES_HOME: home,
    });
    expect(h).toMatchObject({ mode: 'http', signingSecret: 'secret-from-file', appToken: undefined });
  });

  it('fails closed, and names settings (never values) in its errors', () => {
    expect(error({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatch(
      /^config: Slack: nobody is allowed to register jobs/,
    );
    expect(
      error({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', HERMES_ALLOW_EVERYONE: 'true' }),
    ).toBe('no error');
    expect(error({ ...base, SLACK_BOT_TOKEN: 'xoxp-personal-SECRET' })).toMatch(
      /SLACK_BOT_TOKEN must be a bot token/,
    );
    expect(error({ ...base, SLACK_BOT_TOKEN: 'xoxp-personal-SECRET' })).not.toContain('SECRET');
    expect(error({ ...base, SLACK_APP_TOKEN: '' })).toMatch(/needs SLACK_APP_TOKEN/);
    expect(error({ ...base, HERMES_SLACK_MODE: 'http' })).toMatch(/needs SLACK_SIGNING_SECRET/);
    expect(error({ ...base, HERMES_SLACK_ALLOWED_USERS: '@alice' })).toMatch(
      /allowed_users must be Slack ids like U0123ABCD/,
    );
    expect(error({ ...base, HERMES_SLACK_ALLOWED_CHANNELS: '#general' })).toMatch(
      /allowed_channels must be Slack ids/,
    );
  });
});
