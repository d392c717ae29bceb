import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto, requireSystemDeps } from '../../helpers/system.js';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe.skipIf(!hasMosquitto() && !requireSystemDeps())('mosquitto test harness', () => {
  it('starts on a free port, comes back on the same port after kill, halt and restart, and stop() cleans up', async () => {
    const m = await startMosquitto();
    try {
      expect(m.url).toBe(`mqtt://127.0.0.1:${m.port}`);
      expect(await accepts(m.port)).toBe(true);
      await m.kill();
      expect(await accepts(m.port)).toBe(false);
      await m.start();
      expect(await accepts(m.port)).toBe(true);
      await m.restart();
      expect(await accepts(m.port)).toBe(true);
      await m.halt();
      expect(await accepts(m.port)).toBe(false);
      await m.start();
      await m.start(); // already running: no second process
      expect(await accepts(m.port)).toBe(true);
    } finally {
      await m.stop();
    }
    expect(await accepts(m.port)).toBe(false);
    expect(existsSync(join(m.dir, 'mosquitto.conf'))).toBe(false);
  });
});
