/** Broker credentials for agent-side commands, from the HERMES_MQTT_* files in their environment. */
import { readFileSync } from 'node:fs';
import { HermesError } from '../../src/errors.js';
import type { AgentEnv } from './agent-env.js';

export interface AgentBrokerAuth {
  username?: string;
  password?: Buffer;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function file(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new HermesError(
      'env',
      `cannot read ${name} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export function agentBrokerAuth(a: AgentEnv): AgentBrokerAuth {
  const out: AgentBrokerAuth = {};
  if (a.mqttUsername) out.username = a.mqttUsername;
  if (a.mqttPasswordFile) {
    const raw = file('HERMES_MQTT_PASSWORD_FILE', a.mqttPasswordFile);
    out.password = Buffer.from(raw.toString('utf8').replace(/\r?\n$/, ''), 'utf8');
  }
  if (a.mqttCaFile) out.ca = file('HERMES_MQTT_CA_FILE', a.mqttCaFile);
  if (a.mqttCertFile) out.cert = file('HERMES_MQTT_CERT_FILE', a.mqttCertFile);
  if (a.mqttKeyFile) out.key = file('HERMES_MQTT_KEY_FILE', a.mqttKeyFile);
  return out;
}
