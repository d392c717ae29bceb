/**
 * The Discord gateway as the stand-in plays it: HELLO, then IDENTIFY -> READY (+ GUILD_CREATE for
 * each guild) or RESUME -> replay of missed dispatches + RESUMED; heartbeats are acknowledged.
 * Dispatches carry one increasing sequence per session and are buffered, so a client that resumes
 * after a dropped connection still receives what was sent while it was away (as on Discord).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { CallLog } from '../shared/call-log.js';
import type { Json } from './messages.js';

export interface GatewayFrame {
  seq: number;
  op: number;
  d: unknown;
  at: number;
}

export interface GatewayOptions {
  /** When set, IDENTIFY with another token is closed with 4004 (authentication failed). */
  token?: string;
  heartbeatIntervalMs: number;
  ready(sessionId: string): Json;
  guildCreates(): Json[];
}

interface Session {
  id: string;
  seq: number;
  valid: boolean;
  buffer: Json[];
}

interface Connection {
  ws: WebSocket;
  session?: Session;
}

const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
};
const BUFFERED_DISPATCHES = 1000;

export class FakeGateway {
  identifyCount = 0;
  resumeCount = 0;
  connectionCount = 0;
  /** Every frame the client sent (IDENTIFY, RESUME, heartbeats, …). */
  readonly received = new CallLog<GatewayFrame>((f) => `op ${f.op}`);
  private session: Session | undefined;
  private active: Connection | undefined;

  constructor(private readonly opts: GatewayOptions) {}

  attach(wss: WebSocketServer): void {
    wss.on('connection', (ws, req) => this.onConnection(ws, req));
  }

  /** Sends a dispatch (INTERACTION_CREATE, …) in the current session, or buffers it for a resume. */
  dispatch(t: string, d: Json): void {
    if (this.session === undefined)
      throw new Error(`cannot dispatch ${t}: no gateway session yet (wait for clientReady)`);
    this.sendDispatch(this.session, t, d);
  }

  /** Whether a session exists that dispatches can go to (connected or resumable). */
  get hasSession(): boolean {
    return this.session?.valid === true;
  }

  async drop(resumable: boolean, code?: number): Promise<void> {
    const conn = this.active;
    if (conn === undefined) throw new Error('no connected gateway client to drop');
    if (!resumable && this.session) this.session.valid = false;
    this.active = undefined;
    // 4000 (unknown error) makes discord.js resume; 1000 makes it start a new session.
    const closeCode = code ?? (resumable ? 4000 : 1000);
    await new Promise<void>((resolve) => {
      conn.ws.once('close', () => resolve());
      conn.ws.close(closeCode, resumable ? 'fake: dropped, please resume' : 'fake: dropped');
    });
  }

  /** op 7: Discord asks the client to reconnect and resume. */
  requestReconnect(): void {
    this.active?.ws.send(JSON.stringify({ op: OP.reconnect, d: null, s: null, t: null }));
  }

  terminateAll(wss: WebSocketServer): void {
    for (const ws of wss.clients) ws.terminate();
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.connectionCount += 1;
    const params = new URL(req.url ?? '/', 'ws://fake').searchParams;
    if (params.get('v') !== '10' || params.get('encoding') !== 'json') {
      ws.close(4012, 'fake: only v=10&encoding=json is served');
      return;
    }
    const conn: Connection = { ws };
    ws.on('message', (raw, isBinary) => {
      if (!isBinary) this.onFrame(conn, String(raw));
    });
    ws.on('close', () => {
      if (this.active === conn) this.active = undefined;
    });
    this.send(ws, {
      op: OP.hello,
      d: { heartbeat_interval: this.opts.heartbeatIntervalMs, _trace: [] },
      s: null,
      t: null,
    });
  }

  private onFrame(conn: Connection, text: string): void {
    let frame: { op?: unknown; d?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      conn.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    const op = typeof frame.op === 'number' ? frame.op : -1;
    this.received.add({ seq: this.received.entries.length, op, d: frame.d, at: Date.now() });
    const d = (frame.d ?? {}) as Json;
    if (op === OP.heartbeat) this.send(conn.ws, { op: OP.heartbeatAck, d: null, s: null, t: null });
    else if (op === OP.identify) this.identify(conn, d);
    else if (op === OP.resume) this.resume(conn, d);
  }

  private identify(conn: Connection, d: Json): void {
    if (conn.session !== undefined) {
      conn.ws.close(4005, 'Already authenticated.');
      return;
    }
    if (this.opts.token !== undefined && d.token !== this.opts.token) {
      conn.ws.close(4004, 'Authentication failed.');
      return;
    }
    this.identifyCount += 1;
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, valid: true, buffer: [] };
    this.session = session;
    conn.session = session;
    this.active = conn;
    this.sendDispatch(session, 'READY', this.opts.ready(session.id));
    for (const guild of this.opts.guildCreates()) this.sendDispatch(session, 'GUILD_CREATE', guild);
  }

  private resume(conn: Connection, d: Json): void {
    this.resumeCount += 1;
    const session = this.session;
    const tokenOk = this.opts.token === undefined || d.token === this.opts.token;
    if (session === undefined || !session.valid || d.session_id !== session.id || !tokenOk) {
      this.send(conn.ws, { op: OP.invalidSession, d: false, s: null, t: null });
      return;
    }
    conn.session = session;
    this.active = conn;
    const seen = typeof d.seq === 'number' ? d.seq : 0;
    for (const frame of session.buffer) if ((frame.s as number) > seen) this.send(conn.ws, frame);
    this.sendDispatch(session, 'RESUMED', { _trace: [] });
  }

  private sendDispatch(session: Session, t: string, d: Json): void {
    session.seq += 1;
    const frame = { op: OP.dispatch, t, s: session.seq, d };
    session.buffer.push(frame);
    if (session.buffer.length > BUFFERED_DISPATCHES) session.buffer.shift();
    if (this.active?.session === session) this.send(this.active.ws, frame);
  }

  private send(ws: WebSocket, frame: Json): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }
}
