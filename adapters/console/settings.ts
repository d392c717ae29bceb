/**
 * The console chat is one local person at a terminal: they own the jobs they register and are the
 * only approver. Jobs registered outside chat (CLI) appear in the console's one channel too.
 */
import type { AccessPolicy } from '../../src/chat/access.js';

export const CONSOLE_PLATFORM = 'console';
export const CONSOLE_CHANNEL = 'console';
export const CONSOLE_USER = 'you';

export interface ConsoleSettings {
  user: string;
  channel: string;
  policy: AccessPolicy;
}

export function consoleSettings(user = CONSOLE_USER): ConsoleSettings {
  return {
    user,
    channel: CONSOLE_CHANNEL,
    policy: {
      allowEveryone: false,
      registerUsers: [user],
      registerRoles: [],
      registerChannels: [],
      approvers: [user],
      approverRoles: [],
    },
  };
}
