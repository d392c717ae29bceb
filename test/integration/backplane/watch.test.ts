/** `hermes watch`: exit codes, jobs that end without an event, and what it refuses to print. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { eventsOf } from '../../../src/jobs/queries.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { BOT_SCHEMA_VERSION, botDbPath, openBotDb } from '../../../src/store/bot-db.js';
import { BOT_MIGRATIONS } from '../../../src/store/bot-schema.js';
import { migrate, openDatabase } from '../../../src/store/sqlite.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { tempHome } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

const REPLAY_WINDOW = 5;
let broker: TestBroker;
let h: BotHarness;
useBotOnBroker(
  'file',
  (b, harness) => {
    broker = b;
    h = harness;
  },
  { HERMES_REPLAY_WINDOW: String(REPLAY_WINDOW) },
);

function signed(jobId: string, token: string, seq: number, event = 'progress', detail = `#${seq}`) {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq,
    event,
    timestamp: new Date().toISOString(),
    detail,
    data: {},
  }) as JsonObject;
  return encodeWire(signEnvelope(env, token));
}

const publish = (jobId: string, wire: string, retain = false) =>
  h.bot!.bus.publish(`hermes/jobs/${jobId}/events`, wire, { qos: 1, retain });

/** `hermes watch` in this process, with its output readable while it runs. */
function watch(args: string[], home = h.home) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = runCli(['watch', ...args, '--json', '--mqtt', broker.url], {
    env: { HERMES_HOME: home, HERMES_LOG_LEVEL: 'silent', HERMES_REPLAY_WINDOW: String(REPLAY_WINDOW) },
    stdin: Readable.from([]),
    stdout,
    stderr,
  });
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stderr: () => err };
}

/**
 * Publishes marker events (fresh seqs from `seq` on) until the watcher prints one: from then on it
 * is subscribed. Returns the next free seq.
 */
async function untilLive(w: ReturnType<typeof watch>, jobId: string, token: string, seq: number) {
  let next = seq;
  await waitFor(
    async () => {
      if (w.lines().some((l) => l.job_id === jobId && l.detail === 'marker')) return true;
      await publish(jobId, signed(jobId, token, next++, 'progress', 'marker'));
      return false;
    },
    { timeoutMs: 10_000, intervalMs: 100, message: `watch printed a marker of ${jobId}` },
  );
  return next;
}

const notMarker = (l: Record<string, unknown>) => l.detail !== 'marker';

describe('hermes watch', () => {
  it('a job the bot already ended in error, with no event on the wire, ends the watch at once: exit 1', async () => {
    const { job } = h.register();
    h.bot!.registry.transition(job.id, 'error', 'runner r1 rejected the start');
    const w = watch([job.id, '--timeout', '20']);
    expect(await w.code).toBe(1);
    expect(w.lines()).toEqual([
      expect.objectContaining({ job_id: job.id, status: 'error', reason: 'runner r1 rejected the start' }),
    ]);
  });

  it('a job cancelled while watched is noticed in the database: exit 1', async () => {
    const { job, token } = h.register();
    const w = watch([job.id, '--timeout', '20']);
    await untilLive(w, job.id, token!, 1);
    h.bot!.registry.cancel(job.id, 'cancelled by alice');
    expect(await w.code).toBe(1);
    expect(w.lines().at(-1)).toMatchObject({
      job_id: job.id,
      status: 'cancelled',
      reason: 'cancelled by alice',
    });
  });

  it('exit 1 when any watched job ends in error, 0 only when all complete', async () => {
    const a = h.register();
    const b = h.register();
    const w = watch([a.job.id, b.job.id, '--timeout', '20']);
    const next = await untilLive(w, a.job.id, a.token!, 1);
    await publish(a.job.id, signed(a.job.id, a.token!, next, 'completed', 'done'), true);
    await publish(b.job.id, signed(b.job.id, b.token!, 1, 'error', 'tests failed'), true);
    expect(await w.code).toBe(1);
    expect(
      w
        .lines()
        .filter(notMarker)
        .map((l) => [l.job_id, l.event]),
    ).toEqual([
      [a.job.id, 'completed'],
      [b.job.id, 'error'],
    ]);

    // Watched again: its stored events (history), ending with the completed one, once each.
    const again = watch([a.job.id, '--timeout', '20']);
    expect(await again.code).toBe(0);
    expect(again.lines().map((l) => l.seq)).toEqual(Array.from({ length: next }, (_, i) => i + 1));
    expect(again.lines().at(-1)).toMatchObject({ job_id: a.job.id, seq: next, event: 'completed' });
    const bare = watch([a.job.id, '--no-history', '--timeout', '20']);
    expect(await bare.code).toBe(0);
    expect(bare.lines()).toEqual([expect.objectContaining({ seq: next, event: 'completed' })]);
  });

  it('exit 3 when --timeout passes first, saying so and naming the jobs still open', async () => {
    const { job } = h.register();
    const w = watch([job.id, '--timeout', '0.3']);
    expect(await w.code).toBe(3);
    expect(w.lines()).toEqual([]);
    expect(w.stderr()).toBe(`hermes watch: timed out after 0.3 s; not ended: ${job.id}\n`);
  });

  it('an event with a bad signature is dropped and said on stderr, never printed', async () => {
    const { job, token } = h.register();
    const w = watch([job.id, '--timeout', '20']);
    const next = await untilLive(w, job.id, token!, 1);
    await publish(job.id, signed(job.id, 'not-the-job-token-0123456789', next, 'progress', 'forged'));
    await waitFor(() => w.stderr().includes('bad_signature'), { timeoutMs: 10_000, message: 'drop said' });
    await publish(job.id, signed(job.id, token!, next + 1, 'completed', 'done'), true);
    expect(await w.code).toBe(0);
    expect(w.lines().filter(notMarker)).toEqual([expect.objectContaining({ seq: next + 1, detail: 'done' })]);
    expect(w.stderr()).toContain(`dropped ${job.id} #${next}: bad_signature`);
  });

  it('replays the bot already dropped are dropped: a stored seq again, and a seq below the window', async () => {
    const { job, token } = h.register();
    const first = signed(job.id, token!, 1, 'started', 'first');
    await publish(job.id, first);
    await publish(job.id, signed(job.id, token!, 10, 'progress', 'ten'));
    await waitFor(() => eventsOf(h.bot!.db, job.id).length === 2, {
      timeoutMs: 10_000,
      message: 'bot stored 2',
    });

    const w = watch([job.id, '--timeout', '20']);
    const next = await untilLive(w, job.id, token!, 11);
    await publish(job.id, first); // the same message again: the bot has it, so a quiet duplicate
    await publish(job.id, signed(job.id, token!, 3, 'progress', 'old')); // 3 < 11 - 5: a replay
    await waitFor(() => w.stderr().includes('replay'), { timeoutMs: 10_000, message: 'replay said' });
    await publish(job.id, signed(job.id, token!, next, 'completed', 'done'), true);
    expect(await w.code).toBe(0);
    // The two stored events come first (history), then only the live completed one.
    expect(w.lines().filter(notMarker)).toEqual([
      expect.objectContaining({ seq: 1, detail: 'first' }),
      expect.objectContaining({ seq: 10, detail: 'ten' }),
      expect.objectContaining({ seq: next, event: 'completed' }),
    ]);
    expect(w.stderr()).not.toContain('#1:');
    expect(w.stderr()).toContain(`dropped ${job.id} #3: replay`);
  });
});

describe('hermes watch only reads the bot database', () => {
  const homes: Array<() => void> = [];
  afterEach(() => {
    for (const c of homes.splice(0)) c();
  });
  const freshHome = () => {
    const t = tempHome('hermes-watch-ro-');
    homes.push(t.cleanup);
    return t.home;
  };
  /** What a write would change: the file's bytes, size and mtime, and its schema version. */
  const fingerprint = (file: string) => {
    const st = statSync(file);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return {
        mtimeMs: st.mtimeMs,
        size: st.size,
        bytes: readFileSync(file).toString('base64'),
        userVersion: db.pragma('user_version', { simple: true }),
      };
    } finally {
      db.close();
    }
  };

  it('with a fresh HERMES_HOME creates no hermes.db and refuses the job it cannot verify (exit 2)', async () => {
    const home = freshHome();
    const w = watch(['j-nope', '--timeout', '5'], home);
    expect(await w.code).toBe(2);
    expect(w.lines()).toEqual([]);
    expect(w.stderr()).toContain('j-nope is not known here (no ');
    expect(w.stderr()).toContain('run it on the bot host');
    expect(existsSync(botDbPath(home))).toBe(false);
    expect(readdirSync(home).filter((f) => f.startsWith('hermes.db'))).toEqual([]);
  });

  it('a completed event on the broker for a job this host cannot verify never ends the watch with 0', async () => {
    const { job, token } = h.register();
    await publish(job.id, signed(job.id, token!, 1, 'completed', 'done elsewhere'), true);
    const home = freshHome();
    const w = watch([job.id, '--timeout', '20'], home);
    expect(await w.code).toBe(2);
    expect(w.lines()).toEqual([]);
    expect(existsSync(botDbPath(home))).toBe(false);
  });

  it('an existing database keeps its bytes, size, mtime and user_version while watched; a job not in it is refused', async () => {
    const home = freshHome();
    const config = loadConfig({ env: { HERMES_HOME: home } });
    const db = openBotDb(config, silentLogger);
    const job = new JobRegistry(db, systemClock, systemRandom).register({ profile: 'demo', owner: 'test' });
    db.close();
    const file = botDbPath(home);
    const before = fingerprint(file);
    expect(before.userVersion).toBe(BOT_SCHEMA_VERSION);

    const w = watch([job.id, '--timeout', '0.5'], home);
    expect(await w.code).toBe(3);
    expect(fingerprint(file)).toEqual(before);
    const refused = watch([job.id, 'j-elsewhere', '--timeout', '5'], home);
    expect(await refused.code).toBe(2);
    expect(refused.stderr()).toContain(`j-elsewhere is not in ${file}`);
    expect(fingerprint(file)).toEqual(before);
  });

  it('a database at another schema version is neither migrated nor used: a warning, and the job refused', async () => {
    const home = freshHome();
    const file = botDbPath(home);
    // An older bot's database (one migration behind this Hermes).
    const old = openDatabase(file, { log: silentLogger });
    migrate(old, BOT_MIGRATIONS.slice(0, -1));
    old.close();
    const before = fingerprint(file);
    expect(before.userVersion).toBe(BOT_SCHEMA_VERSION - 1);

    const w = watch(['j-nope', '--timeout', '5'], home);
    expect(await w.code).toBe(2);
    expect(w.stderr()).toContain(
      `warning: ${file} is at schema version ${BOT_SCHEMA_VERSION - 1}, this Hermes reads version ${BOT_SCHEMA_VERSION}`,
    );
    expect(w.stderr()).toContain('j-nope is not known here (the bot database is not used)');
    expect(fingerprint(file)).toEqual(before);
  });
});
