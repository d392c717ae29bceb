/**
 * Button and modal custom_ids. The core's button value (`<job id> <request id>`) goes into the
 * custom_id itself, so a button keeps working after a restart without any lookup. Discord allows
 * 100 characters; a request id can be up to 128, so a value that does not fit is replaced by its
 * SHA-256 and remembered in SQLite (table `discord_custom_values` in the bot database), which a
 * restarted bot still reads.
 *
 * @example
 * ids.encode('approve', 'j-abc r-1')         // 'hermes:approve:j-abc r-1'
 * ids.decode('hermes:approve:j-abc r-1')     // { kind: 'approve', value: 'j-abc r-1' }
 */
import { createHash } from 'node:crypto';
import { ACTION_IDS, type ActionId } from '../../src/chat/port.js';
import type { Db } from '../../src/store/sqlite.js';

export const CUSTOM_ID_MAX = 100;
const PREFIX = 'hermes:';

/** Button actions plus the reason modal. */
export type CustomIdKind = ActionId | 'reason';
const KINDS: readonly CustomIdKind[] = [...ACTION_IDS, 'reason'];

/** Where values too long for a custom_id are kept. */
export interface LongValueStore {
  remember(hash: string, value: string): void;
  recall(hash: string): string | undefined;
}

export function sqliteLongValues(db: Db, now: () => string): LongValueStore {
  db.exec(`CREATE TABLE IF NOT EXISTS discord_custom_values (
    hash TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)`);
  const put = db.prepare(
    'INSERT INTO discord_custom_values (hash, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const get = db.prepare('SELECT value FROM discord_custom_values WHERE hash = ?');
  return {
    remember: (hash, value) => void put.run(hash, value, now()),
    recall: (hash) => (get.get(hash) as { value: string } | undefined)?.value,
  };
}

export function memoryLongValues(): LongValueStore & { size(): number } {
  const m = new Map<string, string>();
  return { remember: (h, v) => void m.set(h, v), recall: (h) => m.get(h), size: () => m.size };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 43);

export class CustomIds {
  constructor(private readonly long: LongValueStore) {}

  encode(kind: CustomIdKind, value: string): string {
    const inline = `${PREFIX}${kind}:${value}`;
    if (inline.length <= CUSTOM_ID_MAX) return inline;
    const hash = digest(value);
    this.long.remember(hash, value);
    return `${PREFIX}${kind}#${hash}`;
  }

  /** The kind and value of one of our custom_ids; undefined for anything else (old or forged). */
  decode(customId: string): { kind: CustomIdKind; value: string } | undefined {
    if (!customId.startsWith(PREFIX)) return undefined;
    const m = /^([a-z_]+)([:#])(.*)$/s.exec(customId.slice(PREFIX.length));
    const kind = KINDS.find((k) => k === m?.[1]);
    if (!m || !kind) return undefined;
    const value = m[2] === ':' ? m[3]! : this.long.recall(m[3]!);
    return value === undefined ? undefined : { kind, value };
  }
}
