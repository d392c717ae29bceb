/** What every chat command handler receives, and the shape of a handler in the command table. */

import type { DecisionFlow } from '../decision-flow.js';
import type { ChatDeps } from '../deps.js';
import type { EventDelivery } from '../event-delivery.js';
import type { CommandInput } from '../port.js';
import type { Token } from './tokenize.js';

export interface CommandContext {
  deps: ChatDeps;
  input: CommandInput;
  /** Words after the command name. */
  args: Token[];
  /** The text after the command name, as typed. */
  text: string;
  delivery: EventDelivery;
  decisions: DecisionFlow;
}

export interface CommandHandler {
  name: string;
  /** `register <profile> [--runner R] [--cwd DIR] <prompt…>` (without `/hermes`). */
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<void>;
}
