/**
 * What every CLI command receives. Commands never touch process.* directly:
 * tests run them in-process with their own env, streams and clock.
 */
import type { Readable, Writable } from 'node:stream';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Clock, type Random, systemClock, systemRandom } from '../clock.js';
import { type Config, type Env, loadConfig } from '../config/load.js';
import { HermesError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { flagProblem } from './flag-problem.js';

export interface CommandContext {
  /** Arguments after the command words (`hermes jobs list --json` -> ['--json']). */
  readonly args: string[];
  readonly env: Env;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly clock: Clock;
  readonly random: Random;
  /** Set by SIGINT / SIGTERM in the real process; long-running commands stop on it. */
  readonly signal: AbortSignal;
  /** Config, loaded on first use (`--config` is taken from args by the caller). */
  config(): Config;
  logger(): Logger;
}

export interface ContextInit {
  args: string[];
  env: Env;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  clock?: Clock;
  random?: Random;
  signal?: AbortSignal;
  configFile?: string;
  /** A daemon (bot, runner, up): logs at the configured level, `info` by default. */
  longRunning?: boolean;
}

/**
 * The log level of a CLI command. A one-shot command reports in its own words on stdout/stderr,
 * so pino's `info` lines would only bury them: unless HERMES_LOG_LEVEL asks for a level, the
 * default `info` becomes `warn` there. Other configured levels (debug, error, ...) are kept.
 */
export function cliLogLevel(configured: string, env: Env, longRunning: boolean): string {
  if (longRunning || env.HERMES_LOG_LEVEL) return configured;
  return configured === 'info' ? 'warn' : configured;
}

export function createContext(init: ContextInit): CommandContext {
  let config: Config | undefined;
  let log: Logger | undefined;
  return {
    args: init.args,
    env: init.env,
    stdin: init.stdin,
    stdout: init.stdout,
    stderr: init.stderr,
    clock: init.clock ?? systemClock,
    random: init.random ?? systemRandom,
    signal: init.signal ?? new AbortController().signal,
    config() {
      config ??= loadConfig({ env: init.env, file: init.configFile });
      return config;
    },
    logger() {
      log ??= createLogger({
        level: cliLogLevel(this.config().log_level, init.env, init.longRunning === true),
      });
      return log;
    },
  };
}

/** util.parseArgs with errors turned into usage errors that name the command. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (cause) {
    throw new HermesError('usage', `${command}: ${flagProblem(cause, Object.keys(options))}`, {
      cause,
      hint: `see hermes ${command} --help`,
    });
  }
}

export async function readAll(stream: Readable, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > maxBytes) throw new HermesError('too_large', `input exceeds ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function writeLine(stream: Writable, text: string): void {
  stream.write(`${text}\n`);
}

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}
