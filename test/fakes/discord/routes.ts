/** The shape of one REST route of the Discord stand-in. */
import type { UploadedFile } from '../shared/http.js';
import type { Json } from './messages.js';
import type { DiscordState } from './state.js';

export interface RouteContext {
  state: DiscordState;
  gatewayUrl(): string;
  /** Sends a gateway dispatch to the connected client, if any (THREAD_CREATE, …). */
  dispatch(t: string, d: Json): void;
  /** Interactions older than this get 10062 Unknown interaction, like Discord's 3 s limit. */
  callbackDeadlineMs: number | undefined;
}

export interface RouteRequest {
  params: string[];
  body: Json;
  files: UploadedFile[];
  query: URLSearchParams;
  ctx: RouteContext;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Matched against the path after /api/v10; groups become params. */
  pattern: RegExp;
  /** Interaction callbacks and webhooks are authorised by their token, not the bot token. */
  auth: boolean;
  handle(req: RouteRequest): RouteResponse;
}

export const ok = (body?: unknown): RouteResponse =>
  body === undefined ? { status: 204 } : { status: 200, body };
