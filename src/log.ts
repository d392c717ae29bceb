/**
 * pino, one JSON event per line on stderr (stdout belongs to command output).
 * Secrets are redacted by key wherever they appear.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export const REDACT_PATHS = [
  'token',
  '*.token',
  'auth_token',
  '*.auth_token',
  'key',
  '*.key',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'botToken',
  'appToken',
  'signingSecret',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
];

export interface LogOptions {
  level?: string;
  /** Destination stream; defaults to stderr. Tests pass a capture stream. */
  destination?: pino.DestinationStream;
  name?: string;
}

export function createLogger(opts: LogOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'hermes',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for library use without output. */
export const silentLogger: Logger = pino({ level: 'silent' });
