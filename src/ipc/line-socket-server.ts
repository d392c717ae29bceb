/**
 * A Unix socket that serves one newline-terminated JSON request per
 * connection and answers with one line. It owns its path: a stale socket
 * file left by a crashed process is removed, a live one (another process on
 * this home) is refused, and the socket is created 0600 so only the owner's
 * user can connect. The runner's local relay and the bot's control socket
 * both use it.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { HermesError } from '../errors.js';
import type { Logger } from '../log.js';

export interface Connection {
  /** Called when the client goes away before its answer was sent. */
  onGone(cb: () => void): void;
}

/** Answers one request line; what it returns is sent back as one JSON line. */
export type LineHandler = (line: string, conn: Connection) => Promise<unknown>;

export interface SocketServerOptions {
  path: string;
  handler: LineHandler;
  log: Logger;
  /** Longest request line accepted, in bytes (without the newline). */
  maxLineBytes: number;
  /** A client must send its request within this time. Default 10 s. */
  requestTimeoutMs?: number;
  /** Default 1024: agents waiting for decisions each hold one. */
  maxConnections?: number;
  /** What the socket is, in messages and logs (default `runner socket`). */
  label?: string;
  /** The hint when another live process serves the path. */
  busyHint?: string;
}

const CLOSE_GRACE_MS = 1_000;

export interface SocketServer {
  close(): Promise<void>;
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Removes a stale socket file; refuses when a process still listens there or the path is not a socket. */
async function claimPath(path: string, log: Logger, label: string, busyHint: string): Promise<void> {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket())
    throw new HermesError('locked', `${path} exists and is not a socket; refusing to replace it`);
  if (await isLive(path)) {
    throw new HermesError('locked', `another process is serving the ${label} ${path}`, {
      hint: busyHint,
    });
  }
  log.info({ path }, `removing a stale ${label}`);
  unlinkSync(path);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The socket file takes its mode from the umask at bind time: make it 0600 from the first
    // instant instead of chmod-ing after (a client could connect in between). Restored at once.
    const old = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
}

function serveConnection(sock: Socket, opts: SocketServerOptions): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let answered = false;
  let gotLine = false;
  const goneHandlers: Array<() => void> = [];
  const reply = (value: unknown) => {
    if (answered) return;
    answered = true;
    sock.setTimeout(0);
    if (!sock.destroyed) sock.end(`${JSON.stringify(value)}\n`);
  };
  sock.setTimeout(opts.requestTimeoutMs ?? 10_000, () => {
    if (!gotLine) reply({ ok: false, error: 'no complete request line received in time' });
  });
  // A client that vanishes (EPIPE, ECONNRESET) must never take the runner down.
  sock.on('error', (err) => opts.log.debug({ err: err.message }, `${labelOf(opts)} client error`));
  sock.on('close', () => {
    if (answered) return;
    answered = true;
    for (const cb of goneHandlers) cb();
  });
  const onData = (chunk: Buffer) => {
    const nl = chunk.indexOf(0x0a);
    const part = nl < 0 ? chunk : chunk.subarray(0, nl);
    size += part.length;
    if (size > opts.maxLineBytes) {
      sock.off('data', onData);
      reply({ ok: false, error: `request exceeds ${opts.maxLineBytes} bytes` });
      return;
    }
    chunks.push(part);
    if (nl < 0) return;
    // One request per connection: anything after the first line is ignored.
    gotLine = true;
    sock.off('data', onData);
    sock.setTimeout(0);
    const line = Buffer.concat(chunks).toString('utf8');
    opts.handler(line, { onGone: (cb) => goneHandlers.push(cb) }).then(reply, (err: unknown) => {
      opts.log.error({ err }, `${labelOf(opts)} handler failed`);
      reply({ ok: false, error: 'internal error' });
    });
  };
  sock.on('data', onData);
}

const labelOf = (opts: SocketServerOptions) => opts.label ?? 'runner socket';

export async function startSocketServer(opts: SocketServerOptions): Promise<SocketServer> {
  await claimPath(
    opts.path,
    opts.log,
    labelOf(opts),
    opts.busyHint ?? 'is another runner using this HERMES_HOME?',
  );
  const open = new Set<Socket>();
  const server = createServer((sock) => {
    open.add(sock);
    sock.once('close', () => open.delete(sock));
    serveConnection(sock, opts);
  });
  server.maxConnections = opts.maxConnections ?? 1024;
  server.on('error', (err) => opts.log.error({ err }, `${labelOf(opts)} server error`));
  try {
    await listen(server, opts.path);
  } catch (cause) {
    throw new HermesError('locked', `cannot listen on ${opts.path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  // Remember which file is ours: a later runner may have replaced it, and closing must not remove theirs.
  const ino = lstatSync(opts.path).ino;
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Answers already written (end()) get a moment to reach their clients; then the rest go.
        const grace = setTimeout(() => {
          for (const s of open) s.destroy();
        }, CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        try {
          if (lstatSync(opts.path).ino === ino) unlinkSync(opts.path);
        } catch {
          // already gone
        }
      });
      return closing;
    },
  };
}
