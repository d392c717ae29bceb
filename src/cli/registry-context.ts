/** Open the bot database for a CLI command and close it afterwards. */
import { JobRegistry } from '../jobs/registry.js';
import { openBotDb } from '../store/bot-db.js';
import type { Db } from '../store/sqlite.js';
import type { CommandContext } from './context.js';

export async function withRegistry<T>(
  ctx: CommandContext,
  fn: (registry: JobRegistry, db: Db) => Promise<T> | T,
): Promise<T> {
  const db = openBotDb(ctx.config(), ctx.logger());
  try {
    return await fn(new JobRegistry(db, ctx.clock, ctx.random), db);
  } finally {
    db.close();
  }
}
