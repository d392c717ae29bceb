/** Free TCP ports for test servers (brokers, fake chat APIs). */
import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago. The kernel picks it (bind to 0), so
 * parallel test workers do not collide the way a fixed or counted port would.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
