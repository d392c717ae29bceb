/** `approve [ID [REQUEST]] [reason]`. */
import { decisionCommand } from './decide-command.js';

export const approve = decisionCommand('approve');
