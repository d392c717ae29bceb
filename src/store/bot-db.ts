/** The bot's database file under $HERMES_HOME, opened and migrated. */
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import { BOT_MIGRATIONS } from './bot-schema.js';
import { type Db, migrate, openDatabase } from './sqlite.js';

export const botDbPath = (home: string): string => join(home, 'hermes.db');

export function openBotDb(config: Pick<Config, 'home' | 'sqlite_journal'>, log: Logger): Db {
  const db = openDatabase(botDbPath(config.home), { log, journal: config.sqlite_journal });
  migrate(db, BOT_MIGRATIONS);
  return db;
}
