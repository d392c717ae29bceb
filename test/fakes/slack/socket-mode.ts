/**
 * A local stand-in for Slack's Socket Mode WebSocket. apps.connections.open (web-api.ts) hands its
 * URL to the real SocketModeClient; this server greets with `hello`, delivers envelopes and waits
 * for the client's ack `{ envelope_id, payload }`, and can ask the client to reconnect.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { closeServer, listenLocal } from '../shared/http.js';
import { SLACK } from './ids.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SentEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  /** What the app put in its ack (`ack({ response_action: … })`), once it acked. */
  ack?: Record<string, unknown>;
}

export interface SendOptions {
  /** How long to wait for the ack; Slack itself gives up after 3 s. Default 5000. */
  timeoutMs?: number;
  /** events_api redelivery: Slack sets retry_attempt / retry_reason. */
  retryAttempt?: number;
}

export interface SocketModeFake {
  /** ws:// URL to hand to the Web API stand-in (`startSlackApi({ socketModeUrl })`). */
  url: string;
  /** Connections accepted since start (a reconnect makes it grow). */
  readonly connectionCount: number;
  readonly openConnections: number;
  envelopes: SentEnvelope[];
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Delivers an envelope on the newest open connection; resolves with the ack payload. */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts?: SendOptions,
  ): Promise<Record<string, unknown>>;
  /** Sends `{type: "disconnect"}` on every open connection, as Slack does before recycling a host. */
  disconnect(reason?: string): void;
  close(): Promise<void>;
}

interface PendingAck {
  envelope: SentEnvelope;
  resolve: (payload: Record<string, unknown>) => void;
}

export async function startSocketModeServer(): Promise<SocketModeFake> {
  const server = createServer((_req, res) => {
    res.writeHead(426);
    res.end();
  });
  const wss = new WebSocketServer({ server });
  const open: WebSocket[] = [];
  const pending = new Map<string, PendingAck>();
  const envelopes: SentEnvelope[] = [];
  const connectionWaiters = new Set<() => void>();
  let connectionCount = 0;

  wss.on('connection', (ws) => {
    connectionCount += 1;
    open.push(ws);
    ws.on('close', () => open.splice(open.indexOf(ws), 1));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: { envelope_id?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      const waiting = typeof message.envelope_id === 'string' ? pending.get(message.envelope_id) : undefined;
      if (waiting === undefined) return;
      pending.delete(waiting.envelope.envelope_id);
      const ack = (
        typeof message.payload === 'object' && message.payload !== null ? message.payload : {}
      ) as Record<string, unknown>;
      waiting.envelope.ack = ack;
      waiting.resolve(ack);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: SLACK.appId },
      }),
    );
    for (const wake of [...connectionWaiters]) wake();
  });

  const port = await listenLocal(server);

  return {
    url: `ws://127.0.0.1:${port}/link/`,
    get connectionCount() {
      return connectionCount;
    },
    get openConnections() {
      return open.length;
    },
    envelopes,

    waitForConnections(count, timeoutMs = 10_000) {
      if (connectionCount >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (connectionCount < count) return;
          connectionWaiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          connectionWaiters.delete(check);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${count} Socket Mode connections (have ${connectionCount})`,
            ),
          );
        }, timeoutMs);
        connectionWaiters.add(check);
      });
    },

    send(type, payload, opts = {}) {
      const ws = open.at(-1);
      if (ws === undefined)
        return Promise.reject(new Error('no open Socket Mode connection; await waitForConnections() first'));
      const envelope: SentEnvelope = { envelope_id: randomUUID(), type, payload };
      envelopes.push(envelope);
      const timeoutMs = opts.timeoutMs ?? 5000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelope.envelope_id);
          reject(new Error(`no ack for ${type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelope.envelope_id, {
          envelope,
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
        });
        const acceptsResponse =
          type === 'slash_commands' || (type === 'interactive' && payload.type !== 'block_actions');
        ws.send(
          JSON.stringify({
            envelope_id: envelope.envelope_id,
            type,
            accepts_response_payload: acceptsResponse,
            payload,
            ...(type === 'events_api'
              ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryAttempt ? 'timeout' : '' }
              : {}),
          }),
        );
      });
    },

    disconnect(reason = 'refresh_requested') {
      for (const ws of open)
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    },

    async close() {
      // Bolt's app.stop() returns before the client's close handshake ends; let it finish so the
      // client does not log a WebSocket error, and cut off whatever is still open after a second.
      await Promise.race([
        Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const ws of [...open]) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}
