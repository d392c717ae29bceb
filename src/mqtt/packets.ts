/**
 * The few MQTT 3.1.1 packets a one-shot QoS 1 publisher needs (OASIS MQTT 3.1.1, sections 2-3):
 * CONNECT, PUBLISH, DISCONNECT out; CONNACK and PUBACK in. No imports, so `hermes publish` loads
 * almost nothing.
 */

/** Largest "remaining length" the 4-byte variable-length encoding can express (256 MiB - 1). */
export const MAX_REMAINING_LENGTH = 268_435_455;
/** UTF-8 strings carry a 2-byte length prefix. */
export const MAX_STRING_BYTES = 65_535;

export const PacketType = { CONNACK: 2, PUBACK: 4 } as const;

export class PacketError extends Error {
  override readonly name = 'PacketError';
}

/** Variable-length integer: 7 bits per byte, high bit set while more bytes follow (section 2.2.3). */
export function encodeRemainingLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > MAX_REMAINING_LENGTH) {
    throw new PacketError(`remaining length ${n} is outside 0..${MAX_REMAINING_LENGTH}`);
  }
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 string with its byte length in front (section 1.5.3): no U+0000, no lone surrogates. */
export function encodeString(s: string, what: string): Buffer {
  if (s.includes('\u0000')) throw new PacketError(`${what} must not contain U+0000`);
  // Buffer.from would quietly turn a lone surrogate into U+FFFD: a different string than asked for.
  if (LONE_SURROGATE.test(s)) throw new PacketError(`${what} is not well-formed UTF-16`);
  return encodeBinary(Buffer.from(s, 'utf8'), what);
}

function encodeBinary(b: Buffer, what: string): Buffer {
  if (b.length > MAX_STRING_BYTES)
    throw new PacketError(`${what} is ${b.length} bytes; MQTT allows ${MAX_STRING_BYTES}`);
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}

export function validateTopicName(topic: string): void {
  if (topic.length === 0) throw new PacketError('topic must not be empty');
  if (/[+#]/.test(topic))
    throw new PacketError(`topic ${JSON.stringify(topic)} must not contain wildcards (+ or #)`);
}

export interface ConnectFields {
  clientId: string;
  keepaliveSeconds: number;
  username?: string;
  password?: Buffer;
}

/** CONNECT with a clean session and no will (section 3.1). */
export function encodeConnect(f: ConnectFields): Buffer {
  if (f.password !== undefined && f.username === undefined) {
    throw new PacketError('a password needs a user name [MQTT-3.1.2-22]');
  }
  let flags = 0x02; // clean session
  if (f.username !== undefined) flags |= 0x80;
  if (f.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.allocUnsafe(2);
  keepalive.writeUInt16BE(Math.min(Math.max(Math.ceil(f.keepaliveSeconds), 0), 65_535), 0);
  const parts = [encodeString('MQTT', 'protocol name'), Buffer.from([4, flags]), keepalive];
  parts.push(encodeString(f.clientId, 'client id'));
  if (f.username !== undefined) parts.push(encodeString(f.username, 'user name'));
  if (f.password !== undefined) parts.push(encodeBinary(f.password, 'password'));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10]), encodeRemainingLength(body.length), body]);
}

export interface PublishFields {
  topic: string;
  payload: Buffer;
  packetId: number;
  retain: boolean;
}

/**
 * A QoS 1 PUBLISH (section 3.3) as [header, payload], so a large payload is written without a copy.
 * Throws a PacketError when topic and payload do not fit the 256 MiB packet limit.
 */
export function encodePublishQos1(f: PublishFields): [Buffer, Buffer] {
  validateTopicName(f.topic);
  if (!Number.isInteger(f.packetId) || f.packetId < 1 || f.packetId > 65_535) {
    throw new PacketError(`packet id ${f.packetId} is outside 1..65535`);
  }
  const topic = encodeString(f.topic, 'topic');
  const remaining = topic.length + 2 + f.payload.length;
  if (remaining > MAX_REMAINING_LENGTH) {
    throw new PacketError(
      `topic and payload are ${remaining} bytes; an MQTT packet holds at most ${MAX_REMAINING_LENGTH}`,
    );
  }
  const id = Buffer.allocUnsafe(2);
  id.writeUInt16BE(f.packetId, 0);
  const first = 0x30 | 0x02 | (f.retain ? 0x01 : 0x00); // PUBLISH, QoS 1, retain bit
  return [Buffer.concat([Buffer.from([first]), encodeRemainingLength(remaining), topic, id]), f.payload];
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

export interface IncomingPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/**
 * Splits a byte stream into packets. The publisher only expects tiny packets (CONNACK, PUBACK), so a
 * packet claiming more than `maxBodyBytes` is a protocol error rather than something to buffer.
 */
export class PacketReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(private readonly maxBodyBytes = 64 * 1024) {}

  push(chunk: Buffer): IncomingPacket[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const packets: IncomingPacket[] = [];
    for (;;) {
      const header = this.readHeader();
      if (header === undefined) break;
      const { bodyStart, bodyLength } = header;
      if (this.buffer.length < bodyStart + bodyLength) break;
      const first = this.buffer[0]!;
      packets.push({
        type: first >> 4,
        flags: first & 0x0f,
        body: this.buffer.subarray(bodyStart, bodyStart + bodyLength),
      });
      this.buffer = this.buffer.subarray(bodyStart + bodyLength);
    }
    return packets;
  }

  private readHeader(): { bodyStart: number; bodyLength: number } | undefined {
    let length = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      if (this.buffer.length <= i) return undefined;
      const byte = this.buffer[i]!;
      length += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (length > this.maxBodyBytes) {
          throw new PacketError(`broker sent a ${length}-byte packet; expected only acknowledgements`);
        }
        return { bodyStart: i + 1, bodyLength: length };
      }
      multiplier *= 128;
    }
    throw new PacketError('malformed remaining length from broker');
  }
}
