/**
 * What a broker's refusal of a SUBSCRIBE or PUBLISH means: MQTT 3.1.1 has one failure code (0x80);
 * MQTT 5 names the reason (section 2.4). Used to log refusals an operator can act on.
 */
const REASONS: Readonly<Record<number, string>> = {
  128: 'unspecified error',
  131: 'implementation specific error',
  135: 'not authorized',
  143: 'topic filter invalid',
  144: 'topic name invalid',
  145: 'packet identifier in use',
  151: 'quota exceeded',
  153: 'payload format invalid',
  158: 'shared subscriptions not supported',
  161: 'subscription identifiers not supported',
  162: 'wildcard subscriptions not supported',
};

export const isRefusal = (code: number) => (code & 0x80) !== 0;

export function describeReasonCode(code: number): string {
  return `${REASONS[code] ?? 'refused'} (0x${code.toString(16).padStart(2, '0')})`;
}

/** Refusals that will not heal by waiting: the ACL or the filter itself is wrong. */
export const isPermanentRefusal = (code: number) => code === 0x87 || code === 0x8f || code === 0x90;
