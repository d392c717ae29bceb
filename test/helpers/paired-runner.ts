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

export function pairRunner(config: Config, id = 'local'): void {
  const db = openBotDb(config, silentLogger);
  try {
    new RunnersStore(db, systemClock).add(id, randomBytes(32).toString('base64url'));
  } finally {
    db.close();
  }
}
