/**
 * A local stand-in for Discord: one node:http server serving REST under /api/v10 and the gateway
 * (WebSocket, JSON, no compression) on the same port. Drive the real discord.js Client against it:
 *
 *   const discord = await startDiscordFake();
 *   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl } });
 *   await client.login('any-token');
 *
 * Every REST request is recorded; interactions are dispatched with `sendInteraction`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { CallLog } from '../shared/call-log.js';
import {
  closeServer,
  listenLocal,
  parseBody,
  readBody,
  sendEmpty,
  sendJson,
  type UploadedFile,
} from '../shared/http.js';
import { CHANNEL_ROUTES } from './channel-routes.js';
import { type DiscordFailure, failureResponse } from './failures.js';
import { FakeGateway, type GatewayFrame } from './gateway.js';
import { INTERACTION_ROUTES } from './interaction-routes.js';
import { createInteractionBuilders, type InteractionBuilders } from './interactions.js';
import type { Json } from './messages.js';
import { guildCreateObject, readyPayload } from './objects.js';
import type { Route, RouteContext, RouteResponse } from './routes.js';
import { DiscordState, type DiscordStateOptions } from './state.js';
import { messageCreateFor, type UserMessageInput, userMessage } from './user-messages.js';

export type { DiscordFailure } from './failures.js';

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path after /api/v10, e.g. `/channels/1180…/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (for multipart: the payload_json part). */
  body: unknown;
  files: UploadedFile[];
  /** Bot token without the `Bot ` prefix; undefined on token-authorised routes. */
  token: string | undefined;
  at: number;
  status: number;
  response: unknown;
}

export interface DiscordFakeOptions extends DiscordStateOptions {
  /** When set, only this bot token works (REST 401, gateway close 4004). Any token otherwise. */
  token?: string;
  /** Gateway heartbeat interval; Discord's is about 41 s. */
  heartbeatIntervalMs?: number;
  /** Emulates Discord's 3 s limit for the first answer to an interaction. Off unless set. */
  callbackDeadlineMs?: number;
}

export interface DiscordFake {
  /** Pass as `new Client({ rest: { api } })`. */
  apiUrl: string;
  gatewayUrl: string;
  calls: RecordedRequest[];
  state: DiscordState;
  interactions: InteractionBuilders;
  readonly identifyCount: number;
  readonly resumeCount: number;
  readonly gatewayConnections: number;
  /** Frames the client sent on the gateway. */
  gatewayFrames: GatewayFrame[];
  /** Dispatches INTERACTION_CREATE (buffered for a resume when the client is away). */
  sendInteraction(interaction: Json): Json;
  /**
   * A person's message in a channel or thread: stored, and MESSAGE_CREATE dispatched as the
   * client's intents allow (user-messages.ts). Returns the stored message.
   */
  sendUserMessage(input: UserMessageInput): Json;
  dispatch(t: string, d: Json): void;
  dropConnection(opts: { resumable: boolean; code?: number }): Promise<void>;
  requestReconnect(): void;
  /** The next request matching method and path fails this way (429s carry Retry-After). */
  failNext(method: string, path: RegExp, failure: DiscordFailure): void;
  waitForCall(
    method: string,
    path: RegExp,
    predicate?: (r: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  waitForGatewayOp(
    op: number,
    predicate?: (f: GatewayFrame) => boolean,
    timeoutMs?: number,
  ): Promise<GatewayFrame>;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...CHANNEL_ROUTES, ...INTERACTION_ROUTES];

export async function startDiscordFake(opts: DiscordFakeOptions = {}): Promise<DiscordFake> {
  const state = new DiscordState(opts);
  const log = new CallLog<RecordedRequest>((r) => `${r.method} ${r.path} (${r.status})`);
  const failures: Array<{ method: string; path: RegExp; failure: DiscordFailure }> = [];
  let gatewayUrl = '';

  const gateway = new FakeGateway({
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
    ready: (sessionId) => readyPayload(sessionId, state.guilds, gatewayUrl),
    guildCreates: () =>
      state.guilds.map((g) => guildCreateObject(g, state.channelsOfGuild(g.id), state.nowIso())),
  });

  const ctx: RouteContext = {
    state,
    gatewayUrl: () => gatewayUrl,
    dispatch: (t, d) => {
      if (gateway.hasSession) gateway.dispatch(t, d);
    },
    callbackDeadlineMs: opts.callbackDeadlineMs,
  };

  function route(
    method: string,
    path: string,
    token: string | undefined,
    req: { body: Json; files: UploadedFile[]; query: URLSearchParams },
  ): RouteResponse & { headers?: Record<string, string> } {
    const failureAt = failures.findIndex((f) => f.method === method && f.path.test(path));
    if (failureAt >= 0) return failureResponse(failures.splice(failureAt, 1)[0]!.failure);
    const candidates = ROUTES.filter((r) => r.pattern.test(path));
    const found = candidates.find((r) => r.method === method);
    if (found === undefined) {
      return candidates.length > 0
        ? { status: 405, body: { message: '405: Method Not Allowed', code: 0 } }
        : { status: 404, body: { message: '404: Not Found', code: 0 } };
    }
    if (found.auth && (token === undefined || (opts.token !== undefined && token !== opts.token))) {
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    }
    return found.handle({ params: found.pattern.exec(path)!.slice(1), ...req, ctx });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith('/api/v10/')) {
      sendJson(res, 404, { message: 'fake: only /api/v10 is served', code: 0 });
      return;
    }
    // discord.js percent-encodes path segments (`@original` arrives as `%40original`).
    const path = decodeURIComponent(url.pathname.slice('/api/v10'.length));
    const method = req.method ?? 'GET';
    const parsed = await parseBody(await readBody(req), req.headers['content-type']);
    const body = (
      typeof parsed.fields.payload_json === 'string' ? JSON.parse(parsed.fields.payload_json) : parsed.fields
    ) as Json;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bot ') ? auth.slice(4) : undefined;
    const reply = route(method, path, token, { body, files: parsed.files, query: url.searchParams });
    log.add({
      seq: log.entries.length,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      files: parsed.files,
      token,
      at: Date.now(),
      status: reply.status,
      response: reply.body,
    });
    if (reply.body === undefined) sendEmpty(res, reply.status, reply.headers);
    else sendJson(res, reply.status, reply.body, reply.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      sendJson(res, 500, { message: `fake crashed: ${String(error)}`, code: 0 }),
    );
  });
  const wss = new WebSocketServer({ server });
  gateway.attach(wss);
  const port = await listenLocal(server);
  gatewayUrl = `ws://127.0.0.1:${port}`;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    calls: log.entries,
    state,
    interactions: createInteractionBuilders(state),
    get identifyCount() {
      return gateway.identifyCount;
    },
    get resumeCount() {
      return gateway.resumeCount;
    },
    get gatewayConnections() {
      return gateway.connectionCount;
    },
    gatewayFrames: gateway.received.entries,
    sendUserMessage(input) {
      const message = userMessage(state, input);
      const identify = [...gateway.received.entries].reverse().find((f) => f.op === 2);
      const d = messageCreateFor(message, Number((identify?.d as Json | undefined)?.intents ?? 0));
      if (d) gateway.dispatch('MESSAGE_CREATE', d);
      return message;
    },
    sendInteraction(interaction) {
      state.registerInteraction(interaction);
      gateway.dispatch('INTERACTION_CREATE', interaction);
      return interaction;
    },
    dispatch: (t, d) => gateway.dispatch(t, d),
    dropConnection: ({ resumable, code }) => gateway.drop(resumable, code),
    requestReconnect: () => gateway.requestReconnect(),
    failNext(method, path, failure) {
      failures.push({ method, path, failure });
    },
    waitForCall: (method, path, predicate = () => true, timeoutMs = 5000) =>
      log.waitFor(
        (r) => r.method === method && path.test(r.path) && predicate(r),
        timeoutMs,
        `${method} ${path}`,
      ),
    waitForGatewayOp: (op, predicate = () => true, timeoutMs = 5000) =>
      gateway.received.waitFor((f) => f.op === op && predicate(f), timeoutMs, `gateway op ${op}`),
    async close() {
      gateway.terminateAll(wss);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}
