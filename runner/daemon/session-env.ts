/**
 * The environment of an agent's tmux session. It holds paths and settings,
 * never a secret: the job token is a 0600 file (HERMES_TOKEN_FILE, set by
 * startAgentSession), and broker credentials are passed as the paths of the
 * files that hold them.
 */
import { delimiter, resolve } from 'node:path';
import type { Config } from '../../src/config/load.js';

export interface SessionEnvInput {
  config: Config;
  runnerId: string;
  brokerUrl: string;
  /** Folder holding the `hermes` shim (put first on PATH). */
  shimDir: string;
  /** node's folder, so `#!/usr/bin/env node` scripts find it. */
  nodeDir: string;
  /** The runner's PATH. */
  basePath: string | undefined;
  /** The local relay socket, when the runner has one. */
  runnerSocket?: string | undefined;
}

export function sessionEnv(
  i: SessionEnvInput,
  profile: { name: string; env: Readonly<Record<string, string>> },
  auth: 'token' | 'none',
): Record<string, string> {
  const { mqtt, publish } = i.config;
  const env: Record<string, string> = { ...profile.env };
  const path = profile.env.PATH ?? i.basePath ?? '/usr/local/bin:/usr/bin:/bin';
  env.PATH = [i.shimDir, i.nodeDir, path].join(delimiter);
  env.HERMES_RUNNER_ID = i.runnerId;
  env.HERMES_PROFILE = profile.name;
  env.HERMES_MQTT_URL = i.brokerUrl;
  env.HERMES_TOPIC_PREFIX = mqtt.topic_prefix;
  env.HERMES_PUBLISH_DEADLINE_SECONDS = String(publish.deadline_seconds);
  env.HERMES_ASK_TIMEOUT_SECONDS = String(publish.ask_timeout_seconds);
  if (mqtt.username !== undefined) env.HERMES_MQTT_USERNAME = mqtt.username;
  const files = {
    HERMES_MQTT_PASSWORD_FILE: mqtt.password_file,
    HERMES_MQTT_CA_FILE: mqtt.ca_file,
    HERMES_MQTT_CERT_FILE: mqtt.cert_file,
    HERMES_MQTT_KEY_FILE: mqtt.key_file,
  };
  // Sessions start in another directory: relative paths would point elsewhere there.
  for (const [k, v] of Object.entries(files)) if (v !== undefined) env[k] = resolve(v);
  if (auth === 'none') env.HERMES_NO_AUTH = '1';
  if (i.runnerSocket) env.HERMES_RUNNER_SOCKET = i.runnerSocket;
  return env;
}
