/**
 * One call for the usual Slack setup: the Web API stand-in with the Socket Mode stand-in wired to
 * it, plus payload builders whose response_url points back at the Web API stand-in.
 */
import { createSlackPayloads, type SlackPayloads } from './payloads.js';
import { type SocketModeFake, startSocketModeServer } from './socket-mode.js';
import { type SlackApiFake, type SlackApiOptions, startSlackApi } from './web-api.js';

export * from './http-signing.js';
export { SLACK } from './ids.js';
export type { SlackPayloads } from './payloads.js';
export type { EnvelopeType, SocketModeFake } from './socket-mode.js';
export type { RecordedCall, SlackApiFake, SlackFailure } from './web-api.js';

export interface SlackFake {
  api: SlackApiFake;
  socket: SocketModeFake;
  payloads: SlackPayloads;
  close(): Promise<void>;
}

export async function startSlackFake(opts: SlackApiOptions = {}): Promise<SlackFake> {
  const socket = await startSocketModeServer();
  const api = await startSlackApi({ ...opts, socketModeUrl: socket.url });
  return {
    api,
    socket,
    payloads: createSlackPayloads(() => api.responseUrl()),
    async close() {
      await Promise.all([socket.close(), api.close()]);
    },
  };
}
