/**
 * A local stand-in for Slack's Web API (https://slack.com/api/…), reached by the real WebClient
 * through `clientOptions: { slackApiUrl: fake.url }`. It records every call, answers like Slack
 * (HTTP 200 with `{ ok, … }`, 429 with Retry-After), and serves response_url posts too.
 *
 * The WebClient sends every method as a form-encoded POST with object fields (blocks, view, …)
 * as JSON strings and the token in `Authorization: Bearer …`; respond() posts JSON. Both parse.
 * File uploads (filesUploadV2) go through file-uploads.ts, whose upload URLs are on this server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CallLog } from '../shared/call-log.js';
import { closeServer, listenLocal, parseBody, readBody, sendJson } from '../shared/http.js';
import { fileMethods, receiveUpload, UPLOAD_PATH } from './file-uploads.js';
import { type Args, METHODS, type MethodHandler, type MethodResult } from './web-api-methods.js';
import { SlackWorkspace, type WorkspaceOptions } from './workspace.js';

export interface RecordedCall {
  seq: number;
  /** Web API method (`chat.postMessage`), or `response_url` for posts to a response_url. */
  method: string;
  /** Form fields as strings, except blocks / attachments / view / metadata, which are parsed JSON. */
  args: Args;
  /** Bearer token (or `token` form field); never a real one in tests. */
  token: string | undefined;
  at: number;
  path: string;
  /** What the stand-in answered: HTTP status and JSON body. */
  status: number;
  response: unknown;
}

export type SlackFailure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface SlackApiOptions extends WorkspaceOptions {
  /** ws:// URL that apps.connections.open hands out (see socket-mode.ts); settable later. */
  socketModeUrl?: string;
  /** When given, only these tokens authenticate; any other gets `invalid_auth`. */
  validTokens?: string[];
}

export interface SlackApiFake {
  /** Pass as `clientOptions.slackApiUrl`; ends in `/api/`. */
  url: string;
  origin: string;
  calls: RecordedCall[];
  workspace: SlackWorkspace;
  /** A fresh response_url on this server; posts to it are recorded as method `response_url`. */
  responseUrl(): string;
  setSocketModeUrl(url: string | undefined): void;
  /** The next call of `method` fails this way (queued: call twice to fail twice). */
  failNext(method: string, failure: SlackFailure): void;
  /** First call of `method` (already made or still to come) that `predicate` accepts. */
  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'];
/** Methods an app-level token (xapp-) may call; every other method refuses it, as Slack does. */
const APP_TOKEN_METHODS = new Set(['apps.connections.open', 'auth.test']);

function decodeJsonFields(fields: Args): Args {
  const out: Args = { ...fields };
  for (const key of JSON_FIELDS) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    try {
      out[key] = JSON.parse(value);
    } catch {
      // Slack would answer invalid_blocks / invalid_arguments; keeping the raw string lets the test see it.
    }
  }
  return out;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

export async function startSlackApi(opts: SlackApiOptions = {}): Promise<SlackApiFake> {
  const workspace = new SlackWorkspace(opts);
  const log = new CallLog<RecordedCall>((c) => `${c.method}(${c.status})`);
  const failures = new Map<string, SlackFailure[]>();
  let socketModeUrl = opts.socketModeUrl;
  let tickets = 0;
  let responseUrls = 0;
  let origin = '';
  let uploads: Record<string, MethodHandler> = {};

  function authError(method: string, token: string | undefined): string | undefined {
    if (token === undefined || token === '') return 'not_authed';
    if (opts.validTokens !== undefined && !opts.validTokens.includes(token)) return 'invalid_auth';
    const isAppToken = token.startsWith('xapp-');
    if (method === 'apps.connections.open' && !isAppToken) return 'not_allowed_token_type';
    if (isAppToken && !APP_TOKEN_METHODS.has(method)) return 'not_allowed_token_type';
    return undefined;
  }

  function answer(
    method: string,
    token: string | undefined,
    args: Args,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const failure = failures.get(method)?.shift();
    if (failure !== undefined) {
      if ('error' in failure) return { status: 200, body: { ok: false, error: failure.error } };
      if (failure.status === 429) {
        return {
          status: 429,
          body: { ok: false, error: 'ratelimited' },
          headers: { 'retry-after': String(failure.retryAfter) },
        };
      }
      return { status: 500, body: { ok: false, error: 'fatal_error' } };
    }
    const handler = METHODS[method] ?? uploads[method];
    if (handler === undefined) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    const denied = authError(method, token);
    if (denied !== undefined) return { status: 200, body: { ok: false, error: denied } };
    const result: MethodResult = handler(args, {
      workspace,
      socketModeUrl,
      connectionTicket: () => ++tickets,
    });
    return { status: 200, body: result };
  }

  /** Step 2 of a file upload (file-uploads.ts): recorded as method `upload_url`. */
  async function upload(req: IncomingMessage, res: ServerResponse, path: string, fileId: string) {
    const raw = await readBody(req);
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    const { files } = multipart ? await parseBody(raw, req.headers['content-type']) : { files: [] };
    const reply = receiveUpload(workspace, fileId, { raw, files, multipart });
    log.add({
      seq: log.entries.length,
      method: 'upload_url',
      args: { file_id: fileId, size: workspace.files.get(fileId)?.bytes?.length ?? 0 },
      token: bearer(req),
      at: Date.now(),
      path,
      status: reply.status,
      response: reply.text,
    });
    res.writeHead(reply.status, { 'content-type': 'text/plain' });
    res.end(reply.text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const uploadId = UPLOAD_PATH.exec(path)?.[1];
    if (req.method === 'POST' && uploadId !== undefined) return upload(req, res, path, uploadId);
    const apiMethod = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path)?.[1];
    const isResponseUrl = path.startsWith('/response/');
    if (req.method !== 'POST' || (apiMethod === undefined && !isResponseUrl)) {
      sendJson(res, 404, { ok: false, error: 'fake_route_not_found' });
      return;
    }
    const { fields } = await parseBody(await readBody(req), req.headers['content-type']);
    const args = decodeJsonFields(fields);
    const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const method = apiMethod ?? 'response_url';
    const reply = isResponseUrl ? { status: 200, body: { ok: true } } : answer(method, token, args);
    log.add({
      seq: log.entries.length,
      method,
      args,
      token,
      at: Date.now(),
      path,
      status: reply.status,
      response: reply.body,
    });
    sendJson(res, reply.status, reply.body, 'headers' in reply ? reply.headers : {});
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      sendJson(res, 500, { ok: false, error: `fake_crashed: ${String(error)}` }),
    );
  });
  const port = await listenLocal(server);
  origin = `http://127.0.0.1:${port}`;
  uploads = fileMethods((id) => `${origin}/upload/v1/${id}`);

  return {
    url: `${origin}/api/`,
    origin,
    calls: log.entries,
    workspace,
    responseUrl: () => `${origin}/response/${++responseUrls}`,
    setSocketModeUrl: (url) => {
      socketModeUrl = url;
    },
    failNext: (method, failure) => {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    waitForCall: (method, predicate = () => true, timeoutMs = 5000) =>
      log.waitFor((c) => c.method === method && predicate(c), timeoutMs, `a ${method} call`),
    close: () => closeServer(server),
  };
}
