/**
 * A broker "URL" may be a list of endpoints tried in order (`mqtt.url` as a YAML list, or
 * HERMES_MQTT_URL / `--mqtt` comma-separated). Inside the process, and in the job environment the
 * runner hands to agents, the list travels as one comma-separated string; these helpers split it.
 * Dependency-free: the agent-side quick publisher imports it.
 */

/** `mqtt://a:1883, mqtt://b:1883` -> both URLs, trimmed, empty entries dropped. */
export function splitBrokerUrls(list: string): string[] {
  return list
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** The list as the one string the job environment and connectBus carry. */
export const joinBrokerUrls = (urls: readonly string[]): string => urls.join(',');

export interface ServerEndpoint {
  host: string;
  port: number;
  /** mqtt.js protocol name: mqtt, mqtts, ws, wss. */
  protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
}

const DEFAULT_PORTS: Record<ServerEndpoint['protocol'], number> = {
  mqtt: 1883,
  mqtts: 8883,
  ws: 80,
  wss: 443,
};
const PROTOCOL_NAMES: Record<string, ServerEndpoint['protocol']> = {
  'mqtt:': 'mqtt',
  'tcp:': 'mqtt',
  'mqtts:': 'mqtts',
  'ssl:': 'mqtts',
  'ws:': 'ws',
  'wss:': 'wss',
};

/** One URL as an mqtt.js `servers` entry; undefined for a scheme it cannot carry. */
export function serverEndpoint(url: string): ServerEndpoint | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const protocol = PROTOCOL_NAMES[u.protocol];
  if (!protocol) return undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: u.port === '' ? DEFAULT_PORTS[protocol] : Number(u.port), protocol };
}
