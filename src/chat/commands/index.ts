/** The command table: `/hermes <name> …` runs COMMANDS[name]. */
import { approve } from './approve.js';
import { cancel } from './cancel.js';
import { deny } from './deny.js';
import { diff } from './diff.js';
import { helpCommand } from './help.js';
import { list } from './list.js';
import { peek } from './peek.js';
import { register } from './register.js';
import { done, reply } from './reply.js';
import { rules } from './rules.js';
import { runners } from './runners.js';
import { schedule } from './schedule.js';
import { status } from './status.js';
import type { CommandHandler } from './types.js';
import { usage } from './usage.js';

const ordered: CommandHandler[] = [
  register,
  list,
  status,
  reply,
  done,
  cancel,
  peek,
  diff,
  schedule,
  usage,
  runners,
  approve,
  deny,
  rules,
];
ordered.push(helpCommand(() => ordered));

export const COMMANDS: Readonly<Record<string, CommandHandler>> = Object.freeze(
  Object.fromEntries(ordered.map((h) => [h.name, h])),
);
export const COMMAND_LIST: readonly CommandHandler[] = ordered;
