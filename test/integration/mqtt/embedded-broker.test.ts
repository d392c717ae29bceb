import { connect, createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isHermesError } from '../../../src/errors.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../src/mqtt/embedded-broker.js';

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe('embedded broker', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = (b: EmbeddedBroker) => {
    cleanups.push(() => b.close());
    return b;
  };

  it('falls back to a free port when the requested one is taken, and says which', async () => {
    const taken = await occupy();
    cleanups.push(() => void taken.server.close());
    const { log, lines } = captureLogger();
    const broker = track(await startEmbeddedBroker({ port: taken.port, fallbackToFreePort: true, log }));
    expect(broker.port).not.toBe(taken.port);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const warning = lines.find((l) => l.level === 40);
    expect(warning).toMatchObject({ requested: taken.port, port: broker.port });
  });

  it('fails with a broker error naming the address when fallback is off', async () => {
    const taken = await occupy();
    cleanups.push(() => void taken.server.close());
    const err = await startEmbeddedBroker({ port: taken.port, log: silentLogger }).catch((e: unknown) => e);
    expect(isHermesError(err, 'broker')).toBe(true);
    expect(String((err as Error).message)).toContain(`127.0.0.1:${taken.port}`);
  });

  it('close() drops open client sockets, even ones that never sent CONNECT', async () => {
    const broker = await startEmbeddedBroker({ port: 0, log: silentLogger });
    const socket = connect({ host: '127.0.0.1', port: broker.port });
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    socket.on('error', () => {});
    await broker.close();
    await closed;
    await broker.close(); // idempotent
    const refused = await new Promise((r) => {
      const s = connect({ host: '127.0.0.1', port: broker.port });
      s.once('error', (e: NodeJS.ErrnoException) => r(e.code));
      s.once('connect', () => {
        s.destroy();
        r('connected');
      });
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
