import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { tempHome } from '../../helpers/cli.js';

// Every home a test makes is removed, also when one test makes several.
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home(yaml?: string) {
  const t = tempHome();
  cleanups.push(t.cleanup);
  if (yaml !== undefined) writeFileSync(join(t.home, 'config.yaml'), yaml);
  return t.home;
}

describe('config loading', () => {
  it('works with no file at all, with defaults', () => {
    const h = home();
    const c = loadConfig({ env: { HERMES_HOME: h } });
    expect(c.home).toBe(h);
    expect(c.file).toBeUndefined();
    expect(c.mqtt.topic_prefix).toBe('hermes');
    expect(c.relay.max_payload_bytes).toBe(65536);
    expect(c.runner.linger_seconds).toBe(600);
    expect(Object.isFrozen(c.relay)).toBe(true);
  });

  it('reads the file and lets the environment win', () => {
    const h = home(
      'mqtt:\n  url: mqtt://broker:1883\n  topic_prefix: python/mqtt\nrelay:\n  clock_skew_seconds: 60\n',
    );
    const c = loadConfig({
      env: { HERMES_HOME: h, HERMES_MQTT_URL: 'mqtts://other:8883', HERMES_SLACK_APPROVERS: 'U1, U2' },
    });
    expect(c.mqtt.url).toEqual(['mqtts://other:8883']);
    expect(c.mqtt.topic_prefix).toBe('python/mqtt');
    expect(c.relay.clock_skew_seconds).toBe(60);
    expect(c.slack.approvers).toEqual(['U1', 'U2']);
  });

  it('names the key and the problem', () => {
    const h = home('relay:\n  clock_skew_seconds: soon\n');
    expect(() => loadConfig({ env: { HERMES_HOME: h } })).toThrow(/relay\.clock_skew_seconds: .*number/);
    const h2 = home('mqtt:\n  urll: x\n');
    expect(() => loadConfig({ env: { HERMES_HOME: h2 } })).toThrow(/mqtt.*urll/);
    const h3 = home();
    expect(() => loadConfig({ env: { HERMES_HOME: h3, HERMES_MQTT_URL: 'localhost' } })).toThrow(
      /mqtt\.url\.0 \(from HERMES_MQTT_URL\): must be a URL/,
    );
  });

  it('reports invalid YAML and a missing explicit file', () => {
    const h = home('a: [');
    expect(() => loadConfig({ env: { HERMES_HOME: h } })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ env: { HERMES_HOME: h }, file: join(h, 'nope.yaml') })).toThrow(
      /does not exist/,
    );
  });
});
