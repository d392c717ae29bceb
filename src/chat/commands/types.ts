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
  /**
   * The text after the first word is free text taken verbatim (a reply to an agent): only that
   * first word is parsed, so an apostrophe in "don't" is not an unclosed quote.
   */
  verbatim?: boolean;
  run(ctx: CommandContext): Promise<void>;
}
