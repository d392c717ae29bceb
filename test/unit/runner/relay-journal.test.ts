/**
 * The local relay's outbox.db honours `sqlite_journal` / HERMES_SQLITE_JOURNAL like every other
 * database of Hermes (auto: WAL, or DELETE on a network filesystem; wal / delete forced).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRelay } from '../../../runner/daemon/runner-setup.js';
import { startLocalRelay } from '../../../runner/relay/local-relay.js';
import { outboxDbPath } from '../../../runner/relay/outbox-schema.js';
import type { LocalRelay } from '../../../runner/relay/relay-types.js';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { journalModeOf, openDatabase } from '../../../src/store/sqlite.js';
import { idleBus } from '../../helpers/bus-clients.js';
import { tempHome } from '../../helpers/cli.js';

function outboxJournal(home: string): string {
  const db = openDatabase(outboxDbPath(home), { log: silentLogger, readonly: true });
  try {
    return journalModeOf(db);
  } finally {
    db.close();
  }
}

describe('outbox.db journal mode', () => {
  let home: string;
  let cleanup: () => void;
  let relay: LocalRelay | undefined;

  beforeEach(() => {
    ({ home, cleanup } = tempHome('hermes-relay-journal-'));
  });
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    cleanup();
  });

  const start = (journal?: 'auto' | 'wal' | 'delete') =>
    startLocalRelay({
      socketPath: `${home}/runner.sock`,
      home,
      bus: idleBus,
      prefix: 'hermes',
      log: silentLogger,
      clock: systemClock,
      maxPayloadBytes: 65536,
      ...(journal ? { journal } : {}),
    });

  it('is WAL by default on a local filesystem', async () => {
    relay = await start();
    await relay.close();
    expect(outboxJournal(home)).toBe('wal');
  });

  it('is DELETE when the relay is told so', async () => {
    relay = await start('delete');
    await relay.close();
    expect(outboxJournal(home)).toBe('delete');
  });

  it('follows HERMES_SQLITE_JOURNAL through the runner’s startRelay', async () => {
    const config = loadConfig({ env: { HERMES_HOME: home, HERMES_SQLITE_JOURNAL: 'delete' } });
    expect(config.sqlite_journal).toBe('delete');
    relay = await startRelay({
      home,
      bus: idleBus,
      prefix: 'hermes',
      log: silentLogger,
      clock: systemClock,
      config,
      store: { recordEvent: () => undefined, getByJob: () => undefined },
      state: { job: () => undefined },
      tokens: { get: () => null },
      seqs: { next: () => 1 },
    });
    await relay.close();
    expect(outboxJournal(home)).toBe('delete');
  });
});
