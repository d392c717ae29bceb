/**
 * Turning broker failures into errors an operator can act on. Shared by the mqtt.js bus and the
 * dependency-free quick publisher, so it imports nothing but the error type.
 */
import { HermesError } from '../errors.js';

/** A broker failure that says whether trying again could help. */
export class BrokerError extends HermesError {
  /** The PUBLISH went out but no PUBACK came: the broker may have the message (outcome unknown). */
  readonly maybeDelivered: boolean;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; hint?: string; maybeDelivered?: boolean },
  ) {
    super('broker', message, options);
    this.name = 'BrokerError';
    this.maybeDelivered = options?.maybeDelivered ?? false;
  }
}

/**
 * The URL without user info, query or fragment: safe for logs and error messages. A
 * comma-separated endpoint list is redacted entry by entry.
 */
export function redactUrl(raw: string): string {
  if (raw.includes(','))
    return raw
      .split(',')
      .map((u) => redactUrl(u.trim()))
      .join(',');
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

const CREDENTIALS_HINT = 'check mqtt.username and mqtt.password_file, and the broker ACL';

/** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
export const CONNACK_REFUSALS: Readonly<Record<number, { text: string; retryable: boolean; hint?: string }>> =
  {
    1: {
      text: 'unacceptable protocol version',
      retryable: false,
      hint: 'the broker does not accept MQTT 3.1.1',
    },
    2: { text: 'client identifier rejected', retryable: false },
    3: { text: 'server unavailable', retryable: true },
    4: { text: 'bad user name or password', retryable: false, hint: CREDENTIALS_HINT },
    5: { text: 'not authorised', retryable: false, hint: CREDENTIALS_HINT },
  };

export function connackRefusal(returnCode: number, url: string): BrokerError {
  const known = CONNACK_REFUSALS[returnCode];
  const text = known?.text ?? `refused with return code ${returnCode}`;
  return new BrokerError(
    `MQTT broker at ${redactUrl(url)} refused the connection: ${text}`,
    known?.retryable ?? false,
    {
      hint: known?.hint,
    },
  );
}

/** Socket errors that say the broker is not there (yet): worth retrying. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** TLS verification failures do not heal by retrying: the certificate or the CA file is wrong. */
const isTlsVerifyError = (code: string) =>
  code.startsWith('ERR_TLS_') ||
  code.includes('CERT') ||
  code.includes('SELF_SIGNED') ||
  code.includes('UNABLE_TO');

/** A socket or TLS error while talking to the broker, as a BrokerError with a hint. */
export function connectionFailure(err: unknown, url: string): BrokerError {
  if (err instanceof BrokerError) return err;
  const where = redactUrl(url);
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== '' && isTlsVerifyError(code)) {
    return new BrokerError(`TLS handshake with the MQTT broker at ${where} failed: ${detail}`, false, {
      cause: err,
      hint: 'check mqtt.ca_file (HERMES_MQTT_CA_FILE) and the broker certificate',
    });
  }
  return new BrokerError(
    `cannot reach the MQTT broker at ${where}: ${detail}`,
    code === '' || TRANSIENT_CODES.has(code),
    {
      cause: err,
      hint: `is the broker running at ${where}? set HERMES_MQTT_URL (mqtt.url) to point elsewhere`,
    },
  );
}
