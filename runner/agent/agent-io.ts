/** What agent-side commands need from their process: a subset of CommandContext, so they run fast outside the full CLI. */
import type { Readable, Writable } from 'node:stream';
import type { Clock, Random } from '../../src/clock.js';
import type { Env } from './agent-env.js';

export interface AgentIo {
  readonly args: string[];
  readonly env: Env;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly clock: Clock;
  readonly random: Random;
  readonly signal: AbortSignal;
}
