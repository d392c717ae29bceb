import { describe, expect, it } from 'vitest';
import {
  DISCONNECT,
  encodeConnect,
  encodePublishQos1,
  encodeRemainingLength,
  encodeString,
  MAX_REMAINING_LENGTH,
  PacketError,
  PacketReader,
} from '../../../src/mqtt/packets.js';

const hex = (b: Buffer) => b.toString('hex');

describe('remaining length (MQTT 3.1.1 section 2.2.3)', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [16_383, 'ff7f'],
    [16_384, '808001'],
    [2_097_151, 'ffff7f'],
    [2_097_152, '80808001'],
    [MAX_REMAINING_LENGTH, 'ffffff7f'],
  ])('encodes %i as %s', (n, expected) => {
    expect(hex(encodeRemainingLength(n))).toBe(expected);
  });

  it('refuses lengths the encoding cannot carry', () => {
    expect(() => encodeRemainingLength(MAX_REMAINING_LENGTH + 1)).toThrow(PacketError);
    expect(() => encodeRemainingLength(-1)).toThrow(PacketError);
    expect(() => encodeRemainingLength(1.5)).toThrow(PacketError);
  });

  it('round-trips through the reader at every boundary', () => {
    for (const n of [0, 127, 128, 16_383, 16_384, 70_000]) {
      const packet = Buffer.concat([Buffer.from([0x40]), encodeRemainingLength(n), Buffer.alloc(n, 7)]);
      const [p] = new PacketReader(1 << 20).push(packet);
      expect(p?.body.length).toBe(n);
    }
  });
});

describe('UTF-8 strings', () => {
  it('prefixes the byte length, not the character count', () => {
    expect(hex(encodeString('é€😀', 's'))).toBe(`0009${Buffer.from('é€😀').toString('hex')}`);
  });
  it('refuses U+0000, lone surrogates and strings over 65535 bytes', () => {
    expect(() => encodeString('a\u0000b', 's')).toThrow(/U\+0000/);
    expect(() => encodeString('a\uD800b', 's')).toThrow(/well-formed/);
    expect(() => encodeString('\uDC00', 's')).toThrow(/well-formed/);
    expect(() => encodeString('x'.repeat(65_536), 's')).toThrow(/65535/);
    expect(encodeString('€'.repeat(21_845), 's').length).toBe(2 + 65_535);
    expect(() => encodeString('€'.repeat(21_846), 's')).toThrow(/65535/);
  });
});

describe('CONNECT', () => {
  it('has protocol name, level 4, clean session and keepalive', () => {
    const p = encodeConnect({ clientId: 'abc', keepaliveSeconds: 31 });
    expect(hex(p)).toBe(
      `10${'0f'}0004${Buffer.from('MQTT').toString('hex')}0402001f0003${Buffer.from('abc').toString('hex')}`,
    );
  });
  it('sets the user name and password flags and appends both', () => {
    const p = encodeConnect({
      clientId: 'c',
      keepaliveSeconds: 5,
      username: 'u',
      password: Buffer.from([0, 1]),
    });
    expect(p[9]).toBe(0x80 | 0x40 | 0x02);
    expect(hex(p.subarray(-10))).toBe('000163000175' + '00020001');
  });
  it('refuses a password without a user name', () => {
    expect(() => encodeConnect({ clientId: 'c', keepaliveSeconds: 5, password: Buffer.from('p') })).toThrow(
      /user name/,
    );
  });
});

describe('PUBLISH QoS 1', () => {
  it('encodes header, topic, packet id and leaves the payload uncopied', () => {
    const payload = Buffer.from('hi');
    const [head, body] = encodePublishQos1({ topic: 'a/b', payload, packetId: 0x1234, retain: false });
    expect(hex(head)).toBe(`32${'09'}0003${Buffer.from('a/b').toString('hex')}1234`);
    expect(body).toBe(payload);
  });
  it('sets the retain bit', () => {
    expect(encodePublishQos1({ topic: 't', payload: Buffer.alloc(0), packetId: 1, retain: true })[0][0]).toBe(
      0x33,
    );
  });
  it('refuses wildcards, empty topics and bad packet ids', () => {
    const ok = { payload: Buffer.alloc(0), packetId: 1, retain: false };
    expect(() => encodePublishQos1({ ...ok, topic: 'a/+' })).toThrow(/wildcards/);
    expect(() => encodePublishQos1({ ...ok, topic: 'a/#' })).toThrow(/wildcards/);
    expect(() => encodePublishQos1({ ...ok, topic: '' })).toThrow(/empty/);
    expect(() => encodePublishQos1({ ...ok, topic: 't', packetId: 0 })).toThrow(/packet id/);
    expect(() => encodePublishQos1({ ...ok, topic: 't', packetId: 65_536 })).toThrow(/packet id/);
  });
  it('accepts a payload up to the 256 MiB packet limit and refuses one byte more', () => {
    const topic = 't'; // 3 bytes encoded, plus 2 for the packet id
    const fits = Buffer.allocUnsafe(MAX_REMAINING_LENGTH - 5);
    const [head] = encodePublishQos1({ topic, payload: fits, packetId: 1, retain: false });
    expect(hex(head.subarray(1, 5))).toBe('ffffff7f');
    const tooBig = Buffer.allocUnsafe(MAX_REMAINING_LENGTH - 4);
    expect(() => encodePublishQos1({ topic, payload: tooBig, packetId: 1, retain: false })).toThrow(
      /at most/,
    );
  });
});

describe('PacketReader', () => {
  it('reassembles packets split across chunks and splits packets sharing a chunk', () => {
    const r = new PacketReader();
    const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
    const puback = Buffer.from([0x40, 0x02, 0x12, 0x34]);
    expect(r.push(connack.subarray(0, 1))).toEqual([]);
    expect(r.push(connack.subarray(1, 3))).toEqual([]);
    const got = r.push(Buffer.concat([connack.subarray(3), puback]));
    expect(got.map((p) => [p.type, hex(p.body)])).toEqual([
      [2, '0000'],
      [4, '1234'],
    ]);
  });
  it('refuses oversized and malformed lengths', () => {
    expect(() => new PacketReader(10).push(Buffer.from([0x30, 0x0b]))).toThrow(/11-byte/);
    expect(() => new PacketReader().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(
      /malformed/,
    );
  });
  it('DISCONNECT is two bytes', () => {
    expect(hex(DISCONNECT)).toBe('e000');
  });
});
