/**
 * A scripted MQTT 3.1.1 peer for protocol tests of the quick publisher: it records what the client
 * sends and answers only as told, so tests can hold back a PUBACK or refuse a CONNECT. It grants
 * every SUBSCRIBE and answers PINGREQ, and never delivers a message.
 */
import { createServer, type Socket } from 'node:net';
import { type IncomingPacket, PacketReader } from '../../src/mqtt/packets.js';

export type PubackMode = 'auto' | 'manual' | 'wrong-id' | 'hang-up';

export interface FakeBrokerScript {
  /** CONNACK return code; 0 accepts. Can be changed between connections. */
  connackCode: number;
  puback: PubackMode;
}

export interface FakeBroker {
  readonly url: string;
  readonly script: FakeBrokerScript;
  /** Every packet received, in order, across all connections. */
  readonly received: (IncomingPacket & { connection: number })[];
  readonly connections: number;
  /** Sends PUBACK for the last PUBLISH (manual mode). */
  sendPuback(): void;
  close(): Promise<void>;
}

const packetId = (publish: IncomingPacket) => publish.body.readUInt16BE(2 + publish.body.readUInt16BE(0));

export async function startFakeBroker(script: Partial<FakeBrokerScript> = {}): Promise<FakeBroker> {
  const state: FakeBrokerScript = { connackCode: 0, puback: 'auto', ...script };
  const received: (IncomingPacket & { connection: number })[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let lastPublish: { socket: Socket; id: number } | undefined;

  const server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const reader = new PacketReader(1 << 24);
    socket.on('data', (chunk: Buffer) => {
      for (const p of reader.push(chunk)) {
        received.push({ ...p, body: Buffer.from(p.body), connection });
        if (p.type === 1) {
          socket.write(Buffer.from([0x20, 0x02, 0x00, state.connackCode]));
          if (state.connackCode !== 0) socket.end();
        } else if (p.type === 3) {
          const id = packetId(p);
          lastPublish = { socket, id };
          if (state.puback === 'auto') socket.write(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
          if (state.puback === 'wrong-id') {
            const other = id === 1 ? 2 : id - 1;
            socket.write(Buffer.from([0x40, 0x02, other >> 8, other & 0xff]));
          }
          if (state.puback === 'hang-up') socket.destroy();
        } else if (p.type === 8) {
          // SUBSCRIBE: granted at QoS 1 (or less), so a subscriber such as `hermes ask` can wait.
          const codes: number[] = [];
          for (let at = 2; at < p.body.length; ) {
            at += 2 + p.body.readUInt16BE(at);
            codes.push(Math.min(p.body[at++]!, 1));
          }
          socket.write(Buffer.from([0x90, 2 + codes.length, p.body[0]!, p.body[1]!, ...codes]));
        } else if (p.type === 12) socket.write(Buffer.from([0xd0, 0x00]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    script: state,
    received,
    get connections() {
      return connections;
    },
    sendPuback() {
      if (lastPublish === undefined) throw new Error('no PUBLISH received yet');
      const { socket, id } = lastPublish;
      socket.write(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
