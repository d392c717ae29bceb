/** `deny [ID [REQUEST]] [reason]`: the agent receives the reason. */
import { decisionCommand } from './decide-command.js';

export const deny = decisionCommand('deny');
