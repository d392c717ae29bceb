/** Entry point of the Discord stand-in: `startDiscordFake()`, the ids it uses, its record types. */
export type { GatewayFrame } from './gateway.js';
export type { InteractionBuilders } from './interactions.js';
export { MESSAGE_FLAGS } from './messages.js';
export { APP_PERMISSIONS, DISCORD, type GuildInput, MEMBER_PERMISSIONS } from './objects.js';
export {
  type DiscordFailure,
  type DiscordFake,
  type DiscordFakeOptions,
  type RecordedRequest,
  startDiscordFake,
} from './server.js';
