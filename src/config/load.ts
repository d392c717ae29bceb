/**
 * Reads the config file and overlays the environment (the environment wins).
 * This and the process wiring files are the only readers of process.env:
 * everything else receives the resulting frozen Config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

import { HermesError } from '../errors.js';
import { ConfigFile } from './schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type Config = Readonly<ConfigFile> & {
  /** `$HERMES_HOME`: databases, keys, audit log, sockets. */
  readonly home: string;
  /** The config file that was read, if any. */
  readonly file: string | undefined;
};

/** Environment variable -> config path. Values are parsed as the key's type. */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  HERMES_LOG_LEVEL: 'log_level',
  HERMES_SQLITE_JOURNAL: 'sqlite_journal',
  HERMES_MQTT_URL: 'mqtt.url',
  HERMES_TOPIC_PREFIX: 'mqtt.topic_prefix',
  HERMES_MQTT_PROTOCOL_VERSION: 'mqtt.protocol_version',
  HERMES_MQTT_USERNAME: 'mqtt.username',
  HERMES_MQTT_PASSWORD_FILE: 'mqtt.password_file',
  HERMES_MQTT_CA_FILE: 'mqtt.ca_file',
  HERMES_MQTT_CERT_FILE: 'mqtt.cert_file',
  HERMES_MQTT_KEY_FILE: 'mqtt.key_file',
  HERMES_MAX_PAYLOAD_BYTES: 'relay.max_payload_bytes',
  HERMES_CLOCK_SKEW_SECONDS: 'relay.clock_skew_seconds',
  HERMES_REPLAY_WINDOW: 'relay.replay_window',
  HERMES_GAP_GRACE_SECONDS: 'relay.gap_grace_seconds',
  HERMES_NAIVE_TIMESTAMPS: 'relay.naive_timestamps',
  HERMES_MAX_SEQ_JUMP: 'relay.max_seq_jump',
  HERMES_PUBLISH_DEADLINE_SECONDS: 'publish.deadline_seconds',
  HERMES_RUNNER_ID: 'runner.id',
  HERMES_TMUX_SOCKET: 'runner.tmux_socket',
  HERMES_LINGER_SECONDS: 'runner.linger_seconds',
  HERMES_RECONCILE_SCHEDULE: 'runner.schedule',
  HERMES_CWD_ROOTS: 'runner.cwd_roots',
  HERMES_DEMO_STEP_MS: 'runner.demo_step_ms',
  HERMES_ALLOW_EVERYONE: 'chat.allow_everyone',
  HERMES_PROGRESS_INTERVAL_SECONDS: 'chat.progress_interval_seconds',
  HERMES_REMINDER_SECONDS: 'chat.reminder_seconds',
  HERMES_SLACK_MODE: 'slack.mode',
  HERMES_SLACK_PORT: 'slack.port',
  HERMES_SLACK_API_URL: 'slack.api_url',
  HERMES_SLACK_ALLOWED_USERS: 'slack.allowed_users',
  HERMES_SLACK_ALLOWED_CHANNELS: 'slack.allowed_channels',
  HERMES_SLACK_APPROVERS: 'slack.approvers',
  HERMES_SLACK_APPROVER_GROUPS: 'slack.approver_groups',
  HERMES_SLACK_DEFAULT_CHANNEL: 'slack.default_channel',
  DISCORD_APPLICATION_ID: 'discord.application_id',
  HERMES_DISCORD_GUILD_ID: 'discord.guild_id',
  HERMES_DISCORD_API_URL: 'discord.api_url',
  HERMES_DISCORD_ALLOWED_USERS: 'discord.allowed_users',
  HERMES_DISCORD_ALLOWED_ROLES: 'discord.allowed_roles',
  HERMES_DISCORD_ALLOWED_CHANNELS: 'discord.allowed_channels',
  HERMES_DISCORD_APPROVERS: 'discord.approvers',
  HERMES_DISCORD_APPROVER_ROLES: 'discord.approver_roles',
  HERMES_DISCORD_DEFAULT_CHANNEL: 'discord.default_channel',
  HERMES_DISCORD_MESSAGE_CONTENT: 'discord.message_content',
};

export function hermesHome(env: Env): string {
  const h = env.HERMES_HOME;
  return resolve(h && h.length > 0 ? h : join(env.HOME ?? homedir(), '.hermes'));
}

function coerce(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== 'object' || next === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface LoadOptions {
  env: Env;
  /** `--config FILE`; else `HERMES_CONFIG`; else `$HERMES_HOME/config.yaml` if it exists. */
  file?: string;
}

export function loadConfig(opts: LoadOptions): Config {
  const { env } = opts;
  const home = hermesHome(env);
  const explicit = opts.file ?? env.HERMES_CONFIG;
  const file = explicit ? resolve(explicit) : join(home, 'config.yaml');
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new HermesError('config', `${file} is not valid YAML: ${(cause as Error).message}`, { cause });
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new HermesError('config', `${file}: the top level must be a mapping of keys`);
      }
      raw = parsed as Record<string, unknown>;
    }
  } else if (explicit) {
    throw new HermesError('config', `config file ${file} does not exist`);
  }
  const sources: Record<string, string> = {};
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(
        raw,
        path,
        // Ids stay strings: Discord snowflakes are digits longer than a double holds exactly.
        path.endsWith('allowed_users') ||
          path.includes('approver') ||
          path.includes('allowed_') ||
          path.startsWith('discord.')
          ? v
          : coerce(v),
      );
      sources[path] = name;
    }
  }
  const r = ConfigFile.safeParse(raw);
  if (!r.success) {
    const where = existsSync(file) ? file : 'configuration';
    const lines = r.error.issues.map((i) => {
      const key = i.path.join('.');
      // `mqtt.url.1` (one entry of a list) came from the variable that set `mqtt.url`.
      const from = Object.keys(sources).find((k) => key === k || key.startsWith(`${k}.`));
      const via = from ? ` (from ${sources[from]})` : '';
      return `${key || '(top level)'}${via}: ${i.message}`;
    });
    throw new HermesError('config', `${where}: ${lines.join('; ')}`);
  }
  return deepFreeze({ ...r.data, home, file: existsSync(file) ? file : undefined });
}
