/**
 * Client side of a line socket (line-socket-server.ts): one JSON request line, one JSON answer
 * line, one request per connection.
 */
import { createConnection } from 'node:net';
import { HermesError } from '../errors.js';

/** Why the socket could not be used: nobody listens (a stale file, no file) or it failed. */
export class SocketUnavailable extends HermesError {
  constructor(
    readonly path: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super('env', `${path}: ${reason}`, { cause });
  }
}

/** Sends `request`, resolves with the parsed answer; rejects with SocketUnavailable when nobody answers. */
export function askSocket(path: string, request: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    let done = false;
    const finish = (err: Error | undefined, value?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new HermesError('timeout', `${path} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(undefined, JSON.parse(buf.slice(0, nl)));
      } catch (e) {
        finish(new HermesError('malformed', `${path} sent an unreadable answer`, { cause: e }));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) =>
      finish(new SocketUnavailable(path, e.code ?? e.message, e)),
    );
    sock.on('close', () => finish(new SocketUnavailable(path, 'closed without an answer')));
  });
}
