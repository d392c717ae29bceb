/**
 * Where an agent-side command gets its seq (runner/agent/take-seq.ts): from the runner's socket
 * when it answers `next_seq`, else from the job's own counter, saying why; a hung runner costs a
 * bounded part of the publish deadline, never all of it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEnv } from '../../../runner/agent/agent-env.js';
import { allocateSeq, seqDir } from '../../../runner/agent/seq-allocator.js';
import { nextSeqWaitMs, takeSeq } from '../../../runner/agent/take-seq.js';
import { tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
let server: Server | undefined;
const held: Socket[] = [];
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-take-seq-'));
});
afterEach(async () => {
  for (const s of held.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  cleanup();
});

const agent = (socket?: string): AgentEnv => ({
  jobId: 'job_1',
  token: null,
  mqttUrl: undefined,
  prefix: 'hermes',
  home,
  runnerSocket: socket,
  mqttUsername: undefined,
  mqttPasswordFile: undefined,
  mqttCaFile: undefined,
  mqttCertFile: undefined,
  mqttKeyFile: undefined,
  maxWireBytes: undefined,
});

/** A runner socket answering each request line with `answer(request)`, or holding it (undefined). */
async function runner(answer: (req: Record<string, unknown>) => object | undefined): Promise<string> {
  const path = join(home, 'runner.sock');
  server = createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (c) => {
      buf += c;
      if (!buf.includes('\n')) return;
      const reply = answer(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
      if (reply) sock.end(`${JSON.stringify(reply)}\n`);
      else held.push(sock);
    });
  });
  await new Promise<void>((r) => server!.listen(path, r));
  return path;
}

describe('takeSeq', () => {
  it("uses the runner's seq and passes the floor on", async () => {
    const asked: Record<string, unknown>[] = [];
    const socket = await runner((req) => {
      asked.push(req);
      return { ok: true, seq: 40 };
    });
    const notes: string[] = [];
    expect(await takeSeq(agent(socket), 12, { onFallback: (m) => notes.push(m) })).toBe(40);
    expect(asked).toEqual([{ op: 'next_seq', job_id: 'job_1', floor: 12 }]);
    expect(notes).toEqual([]);
  });

  it("an older runner (no next_seq) or no socket: the job's own counter, and the reason", async () => {
    allocateSeq(seqDir(home, 'job_1'));
    const socket = await runner(() => ({ ok: false, error: 'bad request: op: Invalid discriminator value' }));
    const notes: string[] = [];
    expect(await takeSeq(agent(socket), undefined, { onFallback: (m) => notes.push(m) })).toBe(2);
    expect(notes[0]).toMatch(/not the runner's \(runner: bad request: op/);
    expect(
      await takeSeq(agent(join(home, 'gone.sock')), undefined, { onFallback: (m) => notes.push(m) }),
    ).toBe(3);
    expect(notes[1]).toMatch(/gone\.sock: ENOENT/);
    // A seq below the floor is no answer either.
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const low = await runner(() => ({ ok: true, seq: 1 }));
    expect(await takeSeq(agent(low), 10, {})).toBe(10);
  });

  it('waits for the runner a quarter of the deadline, at least 1 s but never more than half', () => {
    expect(nextSeqWaitMs(40_000)).toBe(5000);
    expect(nextSeqWaitMs(8000)).toBe(2000);
    expect(nextSeqWaitMs(3000)).toBe(1000);
    expect(nextSeqWaitMs(800)).toBe(400);
  });

  it('a runner that never answers costs at most half the deadline, then the own counter', async () => {
    const socket = await runner(() => undefined);
    const started = Date.now();
    expect(await takeSeq(agent(socket), undefined, { deadlineMs: 800 })).toBe(1);
    expect(Date.now() - started).toBeLessThan(800);
  });
});
