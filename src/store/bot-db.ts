/** The bot's database file under $HERMES_HOME: opened and migrated by the bot, or read-only by observers. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import { BOT_MIGRATIONS } from './bot-schema.js';
import { type Db, migrate, openDatabase } from './sqlite.js';

export const botDbPath = (home: string): string => join(home, 'hermes.db');

/** The schema version (user_version) this Hermes writes and reads. */
export const BOT_SCHEMA_VERSION = BOT_MIGRATIONS.length;

export function openBotDb(config: Pick<Config, 'home' | 'sqlite_journal'>, log: Logger): Db {
  const db = openDatabase(botDbPath(config.home), { log, journal: config.sqlite_journal });
  migrate(db, BOT_MIGRATIONS);
  return db;
}

export type ReadOnlyBotDb =
  | { db: Db; file: string }
  | { db: undefined; file: string; why: 'missing' | 'schema' | 'unreadable'; detail: string };

/**
 * The bot's database for an observer (`hermes watch`): opened read-only, never created, never
 * migrated, no journal mode set. Missing, at another schema version than this Hermes's, or not
 * readable: no database, and why. (SQLite itself may create the -wal/-shm companions of a WAL
 * database for a reader, as for any reader; the database file is never written.)
 */
export function openBotDbReadOnly(config: Pick<Config, 'home'>, log: Logger): ReadOnlyBotDb {
  const file = botDbPath(config.home);
  // Checked first: openDatabase would create $HERMES_HOME for a missing file.
  if (!existsSync(file)) return { db: undefined, file, why: 'missing', detail: `no database at ${file}` };
  let db: Db | undefined;
  try {
    db = openDatabase(file, { log, readonly: true });
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== BOT_SCHEMA_VERSION) {
      db.close();
      return {
        db: undefined,
        file,
        why: 'schema',
        detail: `${file} is at schema version ${version}, this Hermes reads version ${BOT_SCHEMA_VERSION}`,
      };
    }
    return { db, file };
  } catch (err) {
    db?.close();
    return {
      db: undefined,
      file,
      why: 'unreadable',
      detail: `cannot read ${file}: ${(err as Error).message}`,
    };
  }
}
