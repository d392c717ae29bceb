import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonState } from '../../../../runner/daemon/daemon-state.js';
import { Presence } from '../../../../runner/daemon/presence.js';
import { readRunnerMessage } from '../../../../src/bot/runner-commands.js';
import { silentLogger } from '../../../../src/log.js';
import { type Db, openDatabase } from '../../../../src/store/sqlite.js';

const KEY = 'cHJlc2VuY2UtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2Rl';
const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };
const signer = { prefix: 'hermes', runnerId: 'r1', key: KEY, clock };

describe('Presence', () => {
  let dir: string;
  let db: Db;
  let sent: Array<{ topic: string; payload: string; retain: boolean | undefined }>;
  const bus = {
    publish: async (topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }) => {
      sent.push({ topic, payload: String(payload), retain: opts.retain });
    },
  };
  /** What the bot makes of a status payload: its state and seq, checked with the runner key. */
  const read = (payload: string | Buffer) => {
    const m = readRunnerMessage(Buffer.from(payload), 'r1', KEY, 65536);
    if (m.kind !== 'status') throw new Error(`not a status: ${JSON.stringify(m)}`);
    return { state: m.value.data.state, seq: m.value.seq, profiles: m.value.data.profiles };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-presence-'));
    db = openDatabase(join(dir, 'runner.db'), { log: silentLogger });
    sent = [];
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs a retained will that outranks the online status it follows, and re-signs it after each loss', async () => {
    const p = new Presence(signer, new DaemonState(db, 'k', clock), () => ['demo'], silentLogger);
    expect(p.will).toMatchObject({ topic: 'hermes/runners/r1/status', qos: 1, retain: true });
    expect(read(p.will.payload as Buffer)).toEqual({ state: 'offline', seq: 2, profiles: ['demo'] });

    await p.publishOnline(bus);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.retain).toBe(true);
    expect(read(sent[0]!.payload)).toMatchObject({ state: 'online', seq: 1 });

    // Connection lost: the broker sent will #2; the next connection's will must outrank the next online.
    const willObject = p.will;
    await p.connectionChanged(bus, false);
    expect(p.will).toBe(willObject); // the same object mqtt.js holds
    expect(read(p.will.payload as Buffer)).toMatchObject({ state: 'offline', seq: 4 });
    await p.connectionChanged(bus, true);
    expect(read(sent[1]!.payload)).toMatchObject({ state: 'online', seq: 3 });

    await p.publishOffline(bus);
    expect(read(sent[2]!.payload)).toMatchObject({ state: 'offline', seq: 5 });
  });

  it('continues above the seqs of an earlier run', async () => {
    const state = new DaemonState(db, 'k', clock);
    new Presence(signer, state, () => [], silentLogger);
    const p = new Presence(signer, new DaemonState(db, 'k', clock), () => [], silentLogger);
    await p.publishOnline(bus);
    expect(read(sent[0]!.payload).seq).toBe(3);
    expect(read(p.will.payload as Buffer).seq).toBe(4);
  });
});
