/**
 * TLS and password authentication end to end, from config files to a real Mosquitto that demands a
 * client certificate and a password: the bus and the quick publisher, and the errors when the CA,
 * the password or the client certificate is wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttConfig } from '../../../src/config/schema.js';
import { isHermesError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { BrokerError } from '../../../src/mqtt/broker-errors.js';
import { connectBus } from '../../../src/mqtt/bus.js';
import { buildClientOptions, loadBrokerAuth, type MqttSection } from '../../../src/mqtt/options.js';
import { quickPublish } from '../../../src/mqtt/quick-publish.js';
import { record, uniqueTopic } from '../../helpers/bus-clients.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto, requireSystemDeps } from '../../helpers/system.js';
import { hasOpenssl, makeTestPki, type TestPki } from '../../helpers/tls-certs.js';
import { waitFor } from '../../helpers/wait.js';

describe.skipIf(!(hasMosquitto() && hasOpenssl()) && !requireSystemDeps())(
  'TLS and passwords with Mosquitto',
  () => {
    let dir: string;
    let pki: TestPki;
    let broker: MosquittoBroker;
    let good: MqttSection;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hermes-tls-'));
      pki = makeTestPki(dir);
      broker = await startMosquitto({
        persistence: false,
        tls: {
          caFile: pki.caFile,
          certFile: pki.serverCertFile,
          keyFile: pki.serverKeyFile,
          requireClientCert: true,
        },
        users: { hermes: 'correct horse' },
      });
      writeFileSync(join(dir, 'password'), 'correct horse\n', { mode: 0o600 });
      writeFileSync(join(dir, 'wrong-password'), 'battery staple\n', { mode: 0o600 });
      good = MqttConfig.parse({
        url: broker.url,
        username: 'hermes',
        password_file: join(dir, 'password'),
        ca_file: pki.caFile,
        cert_file: pki.clientCertFile,
        key_file: pki.clientKeyFile,
      });
    });
    afterAll(async () => {
      await broker?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const quick = (mqtt: MqttSection, topic: string, payload: string) =>
      quickPublish({
        url: broker.url,
        topic,
        payload,
        timeoutMs: 5_000,
        ...loadBrokerAuth(mqtt, broker.url),
      });

    it('connects the bus and the quick publisher with the files the config names', async () => {
      expect(broker.url).toMatch(/^mqtts:/);
      const sub = await connectBus({
        url: broker.url,
        options: buildClientOptions({ mqtt: good }),
        log: silentLogger,
      });
      try {
        const got = record(sub);
        const topic = uniqueTopic('tls');
        await sub.subscribe(topic, 1);
        await quick(good, topic, 'over TLS');
        await waitFor(() => got.received.length === 1, { timeoutMs: 5_000, message: 'the TLS message' });
        expect(got.texts()).toEqual(['over TLS']);
      } finally {
        await sub.close();
      }
    });

    it('refuses a wrong password, without retrying and without echoing it', async () => {
      const wrong = { ...good, password_file: join(dir, 'wrong-password') };
      const err = await quick(wrong, 't', 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerError);
      const e = err as BrokerError;
      expect(e.message).toMatch(/not authorised|bad user name or password/);
      expect(e.retryable).toBe(false);
      expect(e.hint).toContain('password_file');
      expect(`${e.message} ${e.hint}`).not.toContain('battery');

      const busErr = await connectBus({
        url: broker.url,
        options: { ...buildClientOptions({ mqtt: wrong }), reconnectPeriod: 0 },
        log: silentLogger,
      }).catch((x: unknown) => x);
      expect(isHermesError(busErr, 'broker')).toBe(true);
      expect((busErr as BrokerError).hint).toContain('password_file');
    });

    it('refuses a broker certificate from another CA as a permanent TLS error', async () => {
      const otherCa = { ...good, ca_file: pki.otherCaFile };
      const err = await quick(otherCa, 't', 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerError);
      expect((err as BrokerError).message).toContain('TLS handshake');
      expect((err as BrokerError).retryable).toBe(false);
      expect((err as BrokerError).hint).toContain('mqtt.ca_file');

      const busErr = await connectBus({
        url: broker.url,
        options: { ...buildClientOptions({ mqtt: otherCa }), reconnectPeriod: 0 },
        log: silentLogger,
      }).catch((x: unknown) => x);
      expect(isHermesError(busErr, 'broker')).toBe(true);
      expect((busErr as Error).message).toContain('TLS handshake');
    });

    it('accepts that certificate only with insecure on', async () => {
      const insecure = { ...good, ca_file: pki.otherCaFile, insecure: true };
      await quick(insecure, uniqueTopic('insecure'), 'x');
    });
  },
);
