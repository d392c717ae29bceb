/**
 * Pairs a runner id with the bot of `config`'s home, as `hermes runners add` does, for tests that
 * drive chat registrations without a runner process: chat refuses jobs for unpaired runners.
 */
import { randomBytes } from 'node:crypto';
import { RunnersStore } from '../../src/bot/runners-store.js';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { openBotDb } from '../../src/store/bot-db.js';

/** `key`: the runner's own (from `hermes runner init --json`) when a real runner process will connect. */
export function pairRunner(config: Config, id = 'local', key = randomBytes(32).toString('base64url')): void {
  const db = openBotDb(config, silentLogger);
  try {
    new RunnersStore(db, systemClock).add(id, key);
  } finally {
    db.close();
  }
}
