/**
 * Broker connection settings from the `mqtt` config section: the URL, and the credentials and TLS
 * material read from the files the config names. The password is read from a file (never from
 * config text, argv or the URL) and is never logged.
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { ENV_KEYS } from '../config/load.js';
import type { ConfigFile } from '../config/schema.js';
import { HermesError } from '../errors.js';
import { redactUrl } from './broker-errors.js';
import { joinBrokerUrls, splitBrokerUrls } from './endpoints.js';

export { redactUrl };

export type MqttSection = ConfigFile['mqtt'];

export const DEFAULT_BROKER_URL = 'mqtt://127.0.0.1:1883';
/** MQTT 5 session expiry when the config names none: a week, like runner.retention_seconds. */
const DEFAULT_SESSION_EXPIRY_S = 7 * 24 * 3600;

const TLS_PROTOCOLS = new Set(['mqtts:', 'ssl:', 'wss:']);
const KNOWN_PROTOCOLS = new Set(['mqtt:', 'tcp:', 'ws:', ...TLS_PROTOCOLS]);

/** What every connection needs besides the URL; the shape quickPublish takes, too. */
export interface BrokerAuth {
  username?: string;
  password?: Buffer;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** False only with `mqtt.insecure: true`. */
  rejectUnauthorized: boolean;
}

/** Per-process settings layered over the config. */
export interface ClientOverrides {
  /** The full client id. A persistent session (clean: false) needs a fixed one; see persistentClientId. */
  clientId?: string;
  /** Default true. False keeps subscriptions and queued QoS 1 messages across disconnects. */
  clean?: boolean;
  will?: IClientOptions['will'];
  /** Default 4: the embedded broker (aedes) refuses MQTT 5. */
  protocolVersion?: 4 | 5;
  /** Seconds; default 30, so a dead peer's will fires within about 45 s. */
  keepalive?: number;
}

export interface FileReader {
  readFile(path: string): Buffer;
}
const fsReader: FileReader = { readFile: (path) => readFileSync(path) };

/**
 * The broker endpoints, in the order to try them: `--mqtt` / embedded broker URL wins (itself a
 * comma-separated list or one URL), then `mqtt.url` (HERMES_MQTT_URL), then the local default.
 */
export function resolveBrokerUrls(config: { mqtt: MqttSection }, override?: string): string[] {
  const urls =
    override !== undefined ? splitBrokerUrls(override) : [...(config.mqtt.url ?? [DEFAULT_BROKER_URL])];
  if (urls.length === 0) {
    throw new HermesError('config', 'the broker URL list is empty', {
      hint: 'use a URL like mqtt://host:1883, or several separated by commas',
    });
  }
  for (const raw of urls) checkBrokerUrl(raw);
  const paths = new Set(urls.map((u) => new URL(u).pathname));
  if (paths.size > 1) {
    // mqtt.js rotates host, port and scheme through a list, not the WebSocket path.
    throw new HermesError('config', 'the URLs in mqtt.url have different paths', {
      hint: 'use the same WebSocket path on every broker node, or one load-balancer URL',
    });
  }
  return urls;
}

/** resolveBrokerUrls as the one comma-separated string connectBus and the job environment carry. */
export function resolveBrokerUrl(config: { mqtt: MqttSection }, override?: string): string {
  return joinBrokerUrls(resolveBrokerUrls(config, override));
}

function checkBrokerUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new HermesError('config', `mqtt.url is not a URL: ${JSON.stringify(raw)}`, {
      cause,
      hint: 'use a URL like mqtt://host:1883 or mqtts://host:8883 (HERMES_MQTT_URL)',
    });
  }
  if (!KNOWN_PROTOCOLS.has(url.protocol)) {
    throw new HermesError('config', `mqtt.url has an unsupported scheme ${url.protocol}`, {
      hint: 'use mqtt://, mqtts://, ws:// or wss://',
    });
  }
  // URLs end up in logs and process listings; a password in one would leak.
  if (url.username !== '' || url.password !== '') {
    throw new HermesError('config', 'mqtt.url must not contain credentials', {
      hint: 'set mqtt.username (HERMES_MQTT_USERNAME) and put the password in mqtt.password_file',
    });
  }
}

const envNameFor = (key: string) => Object.entries(ENV_KEYS).find(([, path]) => path === key)?.[0];

function readConfigFile(key: keyof MqttSection, path: string, reader: FileReader): Buffer {
  try {
    return reader.readFile(path);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    const env = envNameFor(`mqtt.${key}`);
    throw new HermesError('config', `mqtt.${key}: cannot read ${path} (${reason})`, {
      cause,
      hint: `check the path and that this user may read it${env ? ` (set by mqtt.${key} or ${env})` : ''}`,
    });
  }
}

/** `echo secret > file` leaves a newline that is not part of the password. */
function stripFinalNewline(b: Buffer): Buffer {
  let end = b.length;
  if (end > 0 && b[end - 1] === 0x0a) end--;
  if (end > 0 && b[end - 1] === 0x0d) end--;
  return b.subarray(0, end);
}

/** Reads the password, CA, certificate and key files the config names. */
export function loadBrokerAuth(mqtt: MqttSection, url: string, reader: FileReader = fsReader): BrokerAuth {
  const auth: BrokerAuth = { rejectUnauthorized: !mqtt.insecure };
  if (mqtt.username !== undefined) auth.username = mqtt.username;
  if (mqtt.password_file !== undefined) {
    // MQTT 3.1.1 forbids a password without a user name [MQTT-3.1.2-22].
    if (mqtt.username === undefined) {
      throw new HermesError('config', 'mqtt.password_file is set but mqtt.username is not', {
        hint: 'set mqtt.username (HERMES_MQTT_USERNAME) too',
      });
    }
    const password = stripFinalNewline(readConfigFile('password_file', mqtt.password_file, reader));
    if (password.length === 0) {
      throw new HermesError('config', `mqtt.password_file: ${mqtt.password_file} is empty`);
    }
    auth.password = password;
  }
  const tlsKeys = (['ca_file', 'cert_file', 'key_file'] as const).filter((k) => mqtt[k] !== undefined);
  const plain = splitBrokerUrls(url).find((u) => !TLS_PROTOCOLS.has(new URL(u).protocol));
  if (tlsKeys.length > 0 && plain !== undefined) {
    // Certificates with a plain-TCP URL mean the operator expects TLS and would not get it.
    throw new HermesError(
      'config',
      `mqtt.${tlsKeys[0]} is set but the broker URL ${redactUrl(plain)} is not TLS`,
      {
        hint: 'use an mqtts:// (or wss://) URL',
      },
    );
  }
  if (mqtt.ca_file !== undefined) auth.ca = readConfigFile('ca_file', mqtt.ca_file, reader);
  if (mqtt.cert_file !== undefined) auth.cert = readConfigFile('cert_file', mqtt.cert_file, reader);
  if (mqtt.key_file !== undefined) auth.key = readConfigFile('key_file', mqtt.key_file, reader);
  if ((auth.cert === undefined) !== (auth.key === undefined)) {
    throw new HermesError('config', 'mqtt.cert_file and mqtt.key_file must be set together');
  }
  return auth;
}

/** `{client_id prefix}-{suffix}`, e.g. `hermes-runner-r1`: stable across restarts for persistent sessions. */
export function persistentClientId(mqtt: MqttSection, suffix: string): string {
  return `${mqtt.client_id ?? 'hermes'}-${suffix}`;
}

/**
 * mqtt.js options for connectBus: credentials and TLS from config, session settings from overrides.
 * `deps.url` is the URL the client will use (default: resolveBrokerUrl(config)); TLS files with a
 * plain-TCP URL are refused.
 */
export function buildClientOptions(
  config: { mqtt: MqttSection },
  overrides: ClientOverrides = {},
  deps: { url?: string; reader?: FileReader } = {},
): IClientOptions {
  const url = deps.url ?? resolveBrokerUrl(config);
  const auth = loadBrokerAuth(config.mqtt, url, deps.reader);
  const protocolVersion = overrides.protocolVersion ?? config.mqtt.protocol_version ?? 4;
  const clean = overrides.clean ?? true;
  if (!clean && overrides.clientId === undefined) {
    throw new HermesError('config', 'a persistent MQTT session (clean: false) needs a fixed client id');
  }
  const options: IClientOptions = {
    protocolVersion,
    clean,
    keepalive: overrides.keepalive ?? 30,
    rejectUnauthorized: auth.rejectUnauthorized,
  };
  if (overrides.clientId !== undefined) options.clientId = overrides.clientId;
  if (overrides.will !== undefined) options.will = overrides.will;
  if (auth.username !== undefined) options.username = auth.username;
  if (auth.password !== undefined) options.password = auth.password;
  if (auth.ca !== undefined) options.ca = auth.ca;
  if (auth.cert !== undefined) options.cert = auth.cert;
  if (auth.key !== undefined) options.key = auth.key;
  // MQTT 5 ends a session at disconnect unless it is given an expiry; 3.1.1 keeps it until clean.
  if (protocolVersion === 5 && !clean) {
    options.properties = {
      sessionExpiryInterval: config.mqtt.session_expiry_seconds ?? DEFAULT_SESSION_EXPIRY_S,
    };
  }
  return options;
}
