/**
 * The suite's check of system tools (test/helpers/global-setup.ts): every tool some test needs is
 * checked, locally a missing one is a loud banner, and with HERMES_REQUIRE_SYSTEM_DEPS=1 it fails
 * the run. .ci/run installs the same set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSystemTools, systemTools } from '../../helpers/global-setup.js';

const only =
  (...present: string[]) =>
  (name: string) =>
    present.includes(name) ? `/usr/bin/${name}` : undefined;

describe('system tools check', () => {
  it('checks mosquitto, mosquitto_passwd, mosquitto_pub, nats-server, rabbitmq-server, tmux, python3, openssl and paho-mqtt', () => {
    expect(systemTools(only()).map((t) => t.name)).toEqual([
      'mosquitto',
      'mosquitto_passwd',
      'mosquitto_pub',
      'nats-server',
      'rabbitmq-server',
      'tmux',
      'python3',
      'openssl',
      'python3-paho-mqtt',
    ]);
  });

  it('a missing python3-paho-mqtt is named with its package', () => {
    let text = '';
    const tools = systemTools(
      only(
        'nats-server',
        'rabbitmq-server',
        'mosquitto',
        'mosquitto_passwd',
        'mosquitto_pub',
        'tmux',
        'python3',
        'openssl',
      ),
      () => false,
    );
    reportSystemTools(tools, false, (t) => {
      text += t;
    });
    expect(text).toContain('MISSING SYSTEM TOOLS: python3-paho-mqtt');
    expect(text).toContain('apt-get install python3-paho-mqtt');
  });

  it('locally: a loud banner naming what is missing and the packages, no failure', () => {
    let text = '';
    const tools = systemTools(
      only('nats-server', 'rabbitmq-server', 'mosquitto', 'mosquitto_passwd', 'tmux', 'python3'),
      () => true,
    );
    reportSystemTools(tools, false, (t) => {
      text += t;
    });
    expect(text).toContain('MISSING SYSTEM TOOLS: mosquitto_pub, openssl');
    expect(text).toContain('apt-get install mosquitto-clients openssl');
    expect(text).toContain('broker TLS tests are SKIPPED');
  });

  it('with HERMES_REQUIRE_SYSTEM_DEPS=1: a missing openssl or mosquitto_pub fails the run', () => {
    const silent = () => undefined;
    expect(() =>
      reportSystemTools(
        systemTools(
          only(
            'nats-server',
            'rabbitmq-server',
            'mosquitto',
            'mosquitto_passwd',
            'mosquitto_pub',
            'tmux',
            'python3',
          ),
          () => true,
        ),
        true,
        silent,
      ),
    ).toThrow(/missing: openssl \(Debian packages: openssl\)/);
    expect(() =>
      reportSystemTools(
        systemTools(
          only(
            'nats-server',
            'rabbitmq-server',
            'mosquitto',
            'mosquitto_passwd',
            'tmux',
            'python3',
            'openssl',
          ),
          () => true,
        ),
        true,
        silent,
      ),
    ).toThrow(/missing: mosquitto_pub \(Debian packages: mosquitto-clients\)/);
  });

  it('says nothing when everything is there', () => {
    let text = '';
    const all = systemTools(
      only(
        'nats-server',
        'rabbitmq-server',
        'mosquitto',
        'mosquitto_passwd',
        'mosquitto_pub',
        'tmux',
        'python3',
        'openssl',
      ),
      () => true,
    );
    reportSystemTools(all, true, (t) => {
      text += t;
    });
    expect(text).toBe('');
  });

  it('.ci/run installs the package of every checked tool', () => {
    const ci = readFileSync(join(import.meta.dirname, '..', '..', '..', '.ci', 'run'), 'utf8');
    for (const t of systemTools(only())) {
      const check = t.pythonModule
        ? `import ${t.pythonModule.replace('.', '\\.')}'`
        : `command -v ${t.name}\\b`;
      expect(ci, `${t.name} (${t.pkg})`).toMatch(new RegExp(`${check}[^\\n]*missing\\+=\\(${t.pkg}\\)`));
    }
  });
});
