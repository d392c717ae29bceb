/**
 * pino, one JSON event per line on stderr (stdout belongs to command output).
 * Secrets are redacted by key wherever they appear. Secrets inside values are masked too (Discord
 * tokens, and the secret of a Slack response_url): Discord interaction and webhook tokens travel
 * in URL paths (`/interactions/<id>/<token>/callback`,
 * `/webhooks/<application>/<token>`, each letting its holder post as the bot for 15 minutes), and
 * a failed REST call carries that URL in its error (DiscordAPIError.url, its stack, a cause). The
 * `err` serializer masks them and drops request and response payloads; every finished line is
 * masked once more, so a token interpolated into a message or put in another field does not get
 * out either.
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

/** `/interactions/<id>/<token>` and `/webhooks/<id>/<token>`: the token segment. */
const URL_TOKEN_RE = /\/(interactions|webhooks)\/(\d+)\/[^/?#\s"'\\<>]+/g;

/** Slack's response_url (`hooks.slack.com/commands|actions/<team>/<id>/<secret>`) is the same kind of bearer URL. */
const SLACK_RESPONSE_URL_RE =
  /(hooks\.slack\.com\/(?:commands|actions)\/[^/\s"'\\<>]+\/[^/\s"'\\<>]+)\/[^/?#\s"'\\<>]+/g;

/** The text with every Discord interaction / webhook token and Slack response_url secret replaced by `***`. */
export function maskUrlTokens(text: string): string {
  return text.replace(URL_TOKEN_RE, '/$1/$2/***').replace(SLACK_RESPONSE_URL_RE, '$1/***');
}

/** Payloads an HTTP error may carry (DiscordAPIError, HTTPError): message text, files, tokens. */
const DROPPED_ERROR_KEYS = new Set(['requestBody', 'rawError']);

/** A copy with strings masked and payload keys dropped; the logged error itself is not changed. */
function scrub(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return maskUrlTokens(value);
  if (value === null || typeof value !== 'object') return value;
  // An error pino's serializer did not reach (one inside plain data): serialized first.
  if (value instanceof Error && !seen.has(value)) {
    seen.add(value);
    const out = scrub(pino.stdSerializers.err(value), seen, depth + 1);
    seen.delete(value);
    return out;
  }
  // Plain data and (serialized) errors are walked; anything else (a Date, a Buffer) is left as is.
  const proto = Object.getPrototypeOf(value);
  const walk =
    Array.isArray(value) ||
    proto === Object.prototype ||
    proto === null ||
    typeof (value as { message?: unknown }).message === 'string';
  if (!walk) return value;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) {
    const out = value.map((v) => scrub(v, seen, depth + 1));
    seen.delete(value);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED_ERROR_KEYS.has(k)) out[k] = '[dropped]';
    else out[k] = scrub(v, seen, depth + 1);
  }
  seen.delete(value); // only a cycle is cut, not an object met twice
  return out;
}

/**
 * pino's `err` serializer (type, message and stack with their causes, own properties) followed by
 * the masking above. Also takes the strings some callers log as `err` (an error's message).
 */
export function serializeErr(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error);
  return scrub(serialized, new WeakSet(), 0);
}

export interface LogOptions {
  level?: string;
  /** Destination stream; defaults to stderr. Tests pass a capture stream. */
  destination?: pino.DestinationStream;
  name?: string;
}

/** A `"name":…` binding in pino's serialized bindings (`,"pid":1,"name":"hermes"`). */
const NAME_BINDING_RE = /,"name":"(?:[^"\\]|\\.)*"/g;

/**
 * pino appends a child's bindings to its parent's, so `log.child({ name: 'relay' })` would write
 * `"name":"hermes","name":"relay"`: two values for one key, which JSON tools read differently.
 * The innermost name wins and is the only one on the line.
 */
function keepLastName(child: Logger): void {
  const holder = child as unknown as Record<symbol, unknown>;
  const sym = pino.symbols.chindingsSym;
  const bindings = holder[sym];
  if (typeof bindings !== 'string') return;
  const count = bindings.match(NAME_BINDING_RE)?.length ?? 0;
  if (count < 2) return;
  let seen = 0;
  holder[sym] = bindings.replace(NAME_BINDING_RE, (m) => (++seen === count ? m : ''));
}

export function createLogger(opts: LogOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'hermes',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeErr },
      hooks: { streamWrite: maskUrlTokens },
      base: { pid: process.pid },
      onChild: keepLastName,
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for library use without output. */
export const silentLogger: Logger = pino({ level: 'silent' });
