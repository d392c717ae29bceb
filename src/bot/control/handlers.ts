/**
 * The control socket's operations, looked up by `op`. Add one by writing its handler file
 * (defineHandler) and listing it here; the CLI calls it with callRunningBot(ctx, op, args).
 */
import { cancelHandler } from './cancel.js';
import { decideHandler } from './decide.js';
import type { ControlHandler } from './handler.js';
import { registerHandler } from './register.js';

export const CONTROL_HANDLERS: readonly ControlHandler[] = [cancelHandler, decideHandler, registerHandler];
