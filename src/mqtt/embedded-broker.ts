/**
 * An in-process MQTT 3.1.1 broker (aedes, memory persistence) for `hermes up` and for tests on
 * machines without Mosquitto. Retained messages, persistent sessions and wills work; MQTT 5 does
 * not (clients must use protocolVersion 4). State lives only as long as the process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { HermesError } from '../errors.js';
import type { Logger } from '../log.js';

export const DEFAULT_EMBEDDED_PORT = 1883;

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1: the embedded broker has no authentication, so it is not exposed by default. */
  host?: string;
  /** Default 1883. 0 picks a free port. */
  port?: number;
  /** When the port is taken, listen on a free one instead of failing (and log which). */
  fallbackToFreePort?: boolean;
  log: Logger;
}

export interface EmbeddedBroker {
  /** mqtt://host:port, ready for clients. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops every client connection. Safe to call twice. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

const isAddressInUse = (e: unknown) => (e as NodeJS.ErrnoException).code === 'EADDRINUSE';

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const requested = opts.port ?? DEFAULT_EMBEDDED_PORT;
  const log = opts.log.child({ component: 'embedded-broker' });
  const broker = await Aedes.createBroker();
  broker.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'client error'),
  );
  broker.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));

  // aedes closes the clients it has registered; sockets that never sent CONNECT are ours to close.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  let port: number;
  try {
    port = await listen(server, requested, host);
  } catch (e) {
    if (!(isAddressInUse(e) && opts.fallbackToFreePort)) {
      await new Promise<void>((r) => broker.close(() => r()));
      throw new HermesError(
        'broker',
        `cannot start the embedded broker on ${host}:${requested}: ${(e as Error).message}`,
        {
          cause: e,
          hint: isAddressInUse(e)
            ? `another broker may be running there: point HERMES_MQTT_URL at it, or pick another port`
            : undefined,
        },
      );
    }
    port = await listen(server, 0, host);
    log.warn(
      { requested, port },
      `port ${requested} is in use; embedded broker listening on ${port} instead`,
    );
  }
  // Only now: a listen failure above is handled there (with the fallback), not an error to log.
  server.on('error', (err) => log.error({ err: err.message }, 'embedded broker listener failed'));
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        await new Promise<void>((r) => broker.close(() => r()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        log.debug('embedded broker closed');
      })();
      return closing;
    },
  };
}
