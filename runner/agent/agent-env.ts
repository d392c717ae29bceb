/**
 * The environment an agent-side command runs in, set by the runner for its
 * tmux session (or by hand). Validated by hand rather than with zod: this is
 * on the path of every agent hook, and zod alone costs more start-up time
 * than the whole publish budget (see bench/publish).
 */
import { HermesError } from '../../src/errors.js';
import { DEFAULT_TOPIC_PREFIX, ID_RE } from '../../src/protocol/topics.js';
import { readSecretFile } from '../../src/secrets/token-file.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AgentEnv {
  jobId: string;
  /** null for a job registered with --no-auth (HERMES_TOKEN_FILE unset and HERMES_NO_AUTH=1). */
  token: string | null;
  mqttUrl: string | undefined;
  prefix: string;
  home: string;
  runnerSocket: string | undefined;
  mqttUsername: string | undefined;
  mqttPasswordFile: string | undefined;
  mqttCaFile: string | undefined;
  mqttCertFile: string | undefined;
  mqttKeyFile: string | undefined;
  /** The bot's payload limit when the job environment says it differs from the default. */
  maxWireBytes: number | undefined;
}

function need(env: Env, name: string, why: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new HermesError('env', `${name} is not set (${why})`, {
      hint: 'agent commands run inside a Hermes tmux session, or with the job environment exported by hand',
    });
  }
  return v;
}

/** `--mqtt URL` of an agent command: it wins over HERMES_MQTT_URL, for this process and its children. */
export function withMqttFlag(env: Env, url: string | undefined): Env {
  if (url === undefined) return env;
  if (url === '') throw new HermesError('usage', '--mqtt needs a broker URL');
  return { ...env, HERMES_MQTT_URL: url };
}

export function readAgentEnv(env: Env): AgentEnv {
  const jobId = need(env, 'HERMES_JOB_ID', 'the job this agent works for');
  if (!ID_RE.test(jobId))
    throw new HermesError('env', `HERMES_JOB_ID ${JSON.stringify(jobId)} is not a valid job id`);
  const home = need(env, 'HERMES_HOME', 'where per-job sequence numbers are kept');
  const runnerSocket = env.HERMES_RUNNER_SOCKET || undefined;
  const mqttUrl = env.HERMES_MQTT_URL || undefined;
  if (!runnerSocket && !mqttUrl)
    need(env, 'HERMES_MQTT_URL', 'the broker to publish to when no runner socket is set');
  const prefix = env.HERMES_TOPIC_PREFIX || DEFAULT_TOPIC_PREFIX;
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(prefix)) {
    throw new HermesError(
      'env',
      `HERMES_TOPIC_PREFIX ${JSON.stringify(prefix)} must be topic levels without wildcards`,
    );
  }
  const maxRaw = env.HERMES_MAX_PAYLOAD_BYTES;
  const maxWireBytes = maxRaw ? Number(maxRaw) : undefined;
  if (maxWireBytes !== undefined && !(Number.isSafeInteger(maxWireBytes) && maxWireBytes > 0))
    throw new HermesError(
      'env',
      `HERMES_MAX_PAYLOAD_BYTES ${JSON.stringify(maxRaw)} is not a positive integer`,
    );
  let token: string | null;
  if (env.HERMES_NO_AUTH === '1' && !env.HERMES_TOKEN_FILE) token = null;
  else
    token = readSecretFile(
      need(env, 'HERMES_TOKEN_FILE', 'the 0600 file holding the job token'),
      'HERMES_TOKEN_FILE',
    );
  return {
    jobId,
    token,
    mqttUrl,
    prefix,
    home,
    runnerSocket,
    mqttUsername: env.HERMES_MQTT_USERNAME || undefined,
    mqttPasswordFile: env.HERMES_MQTT_PASSWORD_FILE || undefined,
    mqttCaFile: env.HERMES_MQTT_CA_FILE || undefined,
    mqttCertFile: env.HERMES_MQTT_CERT_FILE || undefined,
    mqttKeyFile: env.HERMES_MQTT_KEY_FILE || undefined,
    maxWireBytes,
  };
}
