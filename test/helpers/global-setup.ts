/**
 * Runs once before the whole suite. Missing system tools do not fail a developer's run (tests that
 * need them skip, MQTT tests fall back to the embedded broker), but the gap must be impossible to
 * miss, and CI (HERMES_REQUIRE_SYSTEM_DEPS=1) must fail instead. So a test file that gates on one
 * of these tools with a plain `skipIf(!hasX())` skips locally, and under
 * HERMES_REQUIRE_SYSTEM_DEPS=1 the run has already failed here before any test ran.
 */
import { findExecutable, pahoPython, requireSystemDeps } from './system.js';

export interface SystemTool {
  name: string;
  /** The Debian package that provides it (what .ci/run installs). */
  pkg: string;
  present: boolean;
  consequence: string;
  /** For a Python module rather than an executable: its import name (.ci/run checks `import …`). */
  pythonModule?: string;
}

type Find = (name: string, extra?: string[]) => string | undefined;

/**
 * Every system tool some test needs. `find` is findExecutable (test/helpers/system.ts) unless given;
 * `hasPaho` says whether Debian's python3 can import paho.mqtt.
 */
export function systemTools(
  find: Find = findExecutable,
  hasPaho: () => boolean = () => pahoPython() !== undefined,
): SystemTool[] {
  const has = (name: string, extra?: string[]) => find(name, extra) !== undefined;
  return [
    {
      name: 'mosquitto',
      pkg: 'mosquitto',
      present: has('mosquitto', ['/usr/sbin', '/usr/local/sbin']),
      consequence: 'MQTT tests run on the embedded aedes broker only; Mosquitto contract runs are SKIPPED',
    },
    {
      name: 'mosquitto_passwd',
      pkg: 'mosquitto',
      present: has('mosquitto_passwd', ['/usr/bin', '/usr/sbin']),
      consequence: 'no broker accounts: the shipped ACL and the TLS/password tests are SKIPPED',
    },
    {
      name: 'mosquitto_pub',
      pkg: 'mosquitto-clients',
      present: has('mosquitto_pub'),
      consequence: 'publishing with the Mosquitto client (as the old Python fleet does) is SKIPPED',
    },
    {
      name: 'nats-server',
      pkg: 'nats-server',
      present: has('nats-server', ['/usr/sbin', '/usr/local/bin']),
      consequence: 'the broker matrix on NATS (MqttBus contract, the journey) is SKIPPED',
    },
    {
      name: 'rabbitmq-server',
      pkg: 'rabbitmq-server',
      // The script itself (test/helpers/rabbitmq.ts runs it; /usr/sbin's wrapper switches user).
      present: has('rabbitmq-server', ['/usr/lib/rabbitmq/bin']),
      consequence: 'the broker matrix on RabbitMQ (MqttBus contract, the journey) is SKIPPED',
    },
    {
      name: 'tmux',
      pkg: 'tmux',
      present: has('tmux'),
      consequence: 'runner / tmux integration tests are SKIPPED',
    },
    {
      name: 'python3',
      pkg: 'python3',
      present: has('python3'),
      consequence: 'cross-checks against the Python fleet (signing, old publisher) are SKIPPED',
    },
    {
      name: 'openssl',
      pkg: 'openssl',
      present: has('openssl'),
      consequence: 'no test certificates can be made: broker TLS tests are SKIPPED',
    },
    {
      name: 'python3-paho-mqtt',
      pkg: 'python3-paho-mqtt',
      present: hasPaho(),
      consequence: 'the Python fleet publisher/subscriber tests (paho-mqtt over Mosquitto) are SKIPPED',
      pythonModule: 'paho.mqtt',
    },
  ];
}

/** Prints the banner for missing tools; throws when `require` (HERMES_REQUIRE_SYSTEM_DEPS=1). */
export function reportSystemTools(
  tools: SystemTool[],
  require: boolean,
  write: (text: string) => void = (t) => process.stderr.write(t),
): void {
  const missing = tools.filter((t) => !t.present);
  if (missing.length === 0) return;
  const names = missing.map((t) => t.name).join(', ');
  const pkgs = [...new Set(missing.map((t) => t.pkg))].join(' ');
  const bar = '!'.repeat(78);
  const lines = [
    '',
    bar,
    `!! MISSING SYSTEM TOOLS: ${names}`,
    ...missing.map((t) => `!!   ${t.name}: ${t.consequence}`),
    `!! Install them (Debian: apt-get install ${pkgs}) for a full run; .ci/run does.`,
    require
      ? '!! HERMES_REQUIRE_SYSTEM_DEPS=1: FAILING THE RUN.'
      : '!! Set HERMES_REQUIRE_SYSTEM_DEPS=1 to make this an error (CI does).',
    bar,
    '',
  ];
  write(`${lines.join('\n')}\n`);
  if (require) {
    throw new Error(
      `HERMES_REQUIRE_SYSTEM_DEPS=1 but these are missing: ${names} (Debian packages: ${pkgs})`,
    );
  }
}

export default async function globalSetup(): Promise<void> {
  reportSystemTools(systemTools(), requireSystemDeps());
}
