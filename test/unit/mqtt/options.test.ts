import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MqttConfig } from '../../../src/config/schema.js';
import { HermesError } from '../../../src/errors.js';
import {
  buildClientOptions,
  DEFAULT_BROKER_URL,
  loadBrokerAuth,
  persistentClientId,
  redactUrl,
  resolveBrokerUrl,
  resolveBrokerUrls,
} from '../../../src/mqtt/options.js';

const section = (raw: Record<string, unknown> = {}) => MqttConfig.parse(raw);

function thrown(f: () => unknown): HermesError {
  try {
    f();
  } catch (e) {
    if (e instanceof HermesError) return e;
    throw e;
  }
  throw new Error('expected a HermesError, nothing was thrown');
}

describe('broker URL', () => {
  it('takes the override, then mqtt.url, then the local default', () => {
    expect(resolveBrokerUrl({ mqtt: section() })).toBe(DEFAULT_BROKER_URL);
    expect(resolveBrokerUrl({ mqtt: section({ url: 'mqtts://b.example:8883' }) })).toBe(
      'mqtts://b.example:8883',
    );
    expect(
      resolveBrokerUrl({ mqtt: section({ url: 'mqtts://b.example:8883' }) }, 'mqtt://127.0.0.1:4000'),
    ).toBe('mqtt://127.0.0.1:4000');
  });

  it('takes a list of endpoints, from YAML or comma-separated, and checks every one', () => {
    const list = section({ url: ['mqtt://a:1883', 'mqtt://b:1883'] });
    expect(resolveBrokerUrls({ mqtt: list })).toEqual(['mqtt://a:1883', 'mqtt://b:1883']);
    expect(resolveBrokerUrl({ mqtt: list })).toBe('mqtt://a:1883,mqtt://b:1883');
    expect(resolveBrokerUrls({ mqtt: section({ url: 'mqtt://a:1883, mqtt://b:1884' }) })).toEqual([
      'mqtt://a:1883',
      'mqtt://b:1884',
    ]);
    expect(resolveBrokerUrls({ mqtt: section() }, 'mqtt://x:1,mqtt://y:2')).toEqual([
      'mqtt://x:1',
      'mqtt://y:2',
    ]);
    expect(thrown(() => resolveBrokerUrl({ mqtt: section() }, 'mqtt://x:1,mqtt://u:p@y:2')).hint).toContain(
      'password_file',
    );
    expect(thrown(() => resolveBrokerUrl({ mqtt: section() }, ' , ')).message).toContain('empty');
    expect(thrown(() => resolveBrokerUrl({ mqtt: section() }, 'ws://a/mqtt,ws://b/other')).message).toContain(
      'different paths',
    );
  });

  it('refuses credentials in the URL without echoing them', () => {
    const e = thrown(() => resolveBrokerUrl({ mqtt: section() }, 'mqtt://bob:hunter2@b.example'));
    expect(e.code).toBe('config');
    expect(e.hint).toContain('password_file');
    expect(`${e.message} ${e.hint}`).not.toContain('hunter2');
  });

  it('refuses schemes that are not MQTT', () => {
    expect(thrown(() => resolveBrokerUrl({ mqtt: section() }, 'http://b.example')).code).toBe('config');
    expect(thrown(() => resolveBrokerUrl({ mqtt: section() }, 'not a url')).code).toBe('config');
  });

  it('redacts user info and query for logs', () => {
    expect(redactUrl('mqtts://u:p@b.example:8883/?x=1')).toBe('mqtts://b.example:8883');
  });
});

describe('client options from config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-options-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('defaults to MQTT 3.1.1, a clean session, certificate checks on', () => {
    const o = buildClientOptions({ mqtt: section() });
    expect(o).toMatchObject({ protocolVersion: 4, clean: true, rejectUnauthorized: true });
    expect(o.password).toBeUndefined();
    expect(o.username).toBeUndefined();
  });

  it('reads the password file, dropping the newline echo leaves', () => {
    const mqtt = section({ username: 'hermes', password_file: file('pw', 's3cret\n') });
    const o = buildClientOptions({ mqtt });
    expect(o.username).toBe('hermes');
    expect(Buffer.from(o.password as Buffer).toString()).toBe('s3cret');
    expect(loadBrokerAuth(mqtt, DEFAULT_BROKER_URL).password?.toString()).toBe('s3cret');
  });

  it('reads CA, certificate and key for a TLS URL', () => {
    const mqtt = section({
      url: 'mqtts://b.example:8883',
      ca_file: file('ca.pem', 'CA BYTES'),
      cert_file: file('cert.pem', 'CERT BYTES'),
      key_file: file('key.pem', 'KEY BYTES'),
    });
    const o = buildClientOptions({ mqtt });
    expect(String(o.ca)).toBe('CA BYTES');
    expect(String(o.cert)).toBe('CERT BYTES');
    expect(String(o.key)).toBe('KEY BYTES');
  });

  it('names the key, the file and the env variable when a file cannot be read', () => {
    const missing = join(dir, 'nope');
    const e = thrown(() => buildClientOptions({ mqtt: section({ username: 'u', password_file: missing }) }));
    expect(e.code).toBe('config');
    expect(e.message).toContain('mqtt.password_file');
    expect(e.message).toContain(missing);
    expect(e.message).toContain('ENOENT');
    expect(e.hint).toContain('HERMES_MQTT_PASSWORD_FILE');

    const ca = thrown(() =>
      buildClientOptions({ mqtt: section({ url: 'mqtts://b:8883', ca_file: missing }) }),
    );
    expect(ca.message).toContain(`mqtt.ca_file: cannot read ${missing}`);
  });

  it('reports why a path cannot be read (a folder, here)', () => {
    const e = thrown(() => buildClientOptions({ mqtt: section({ username: 'u', password_file: dir }) }));
    expect(e.message).toContain(`mqtt.password_file: cannot read ${dir} (EISDIR)`);
  });

  it('refuses setups that would not do what the operator expects', () => {
    // a password without a user name is not valid MQTT 3.1.1
    expect(
      thrown(() => buildClientOptions({ mqtt: section({ password_file: file('pw', 'x') }) })).message,
    ).toContain('mqtt.username');
    expect(
      thrown(() =>
        buildClientOptions({ mqtt: section({ username: 'u', password_file: file('empty', '\n') }) }),
      ).message,
    ).toContain('empty');
    // certificates but a plain-TCP URL: TLS would silently not happen
    expect(
      thrown(() => buildClientOptions({ mqtt: section({ url: 'mqtt://b:1883', ca_file: file('ca', 'x') }) }))
        .message,
    ).toContain('not TLS');
    expect(
      thrown(() =>
        buildClientOptions({ mqtt: section({ url: 'mqtts://b:8883', cert_file: file('c', 'x') }) }),
      ).message,
    ).toContain('together');
  });

  it('turns certificate checks off only with insecure', () => {
    expect(buildClientOptions({ mqtt: section({ insecure: true }) }).rejectUnauthorized).toBe(false);
  });

  it('applies per-process overrides; persistent sessions need a fixed id and, on MQTT 5, an expiry', () => {
    const will = {
      topic: 'hermes/runners/r1/status',
      payload: Buffer.from('offline'),
      qos: 1 as const,
      retain: true,
    };
    const mqtt = section({ client_id: 'team-a' });
    const id = persistentClientId(mqtt, 'runner-r1');
    expect(id).toBe('team-a-runner-r1');
    const v4 = buildClientOptions({ mqtt }, { clientId: id, clean: false, will });
    expect(v4).toMatchObject({ clientId: id, clean: false, will, protocolVersion: 4 });
    expect(v4.properties).toBeUndefined();
    const v5 = buildClientOptions({ mqtt }, { clientId: id, clean: false, protocolVersion: 5 });
    // mqtt.session_expiry_seconds, a week unless configured.
    expect(v5.properties?.sessionExpiryInterval).toBe(7 * 24 * 3600);
    const short = section({ client_id: 'team-a', session_expiry_seconds: 60, protocol_version: 5 });
    const v5b = buildClientOptions({ mqtt: short }, { clientId: id, clean: false });
    expect(v5b).toMatchObject({ protocolVersion: 5, properties: { sessionExpiryInterval: 60 } });
    expect(thrown(() => buildClientOptions({ mqtt }, { clean: false })).message).toContain('client id');
  });

  it('needs every endpoint of a list to be TLS when TLS files are set', () => {
    const tls = section({ url: ['mqtts://a:8883', 'mqtt://b:1883'], ca_file: file('ca', 'x') });
    expect(() => buildClientOptions({ mqtt: tls })).toThrow(/mqtt:\/\/b:1883 is not TLS/);
  });

  it('checks TLS files against the URL the client will really use', () => {
    const mqtt = section({ url: 'mqtts://b:8883', ca_file: file('ca', 'x') });
    expect(() => buildClientOptions({ mqtt }, {}, { url: 'mqtt://127.0.0.1:1883' })).toThrow(/not TLS/);
    const reads: string[] = [];
    const o = buildClientOptions(
      { mqtt },
      {},
      {
        reader: {
          readFile: (p) => {
            reads.push(p);
            return Buffer.from('fake');
          },
        },
      },
    );
    expect(reads).toEqual([join(dir, 'ca')]);
    expect(String(o.ca)).toBe('fake');
  });
});
