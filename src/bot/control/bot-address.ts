/**
 * How to reach the running bot of a $HERMES_HOME: `bot.json` (0600) names the broker it uses and
 * its control socket. The bot writes it once it is connected and removes it when it stops; CLI
 * commands on the same home read it, so they use the bot's broker (`hermes up` may have picked a
 * free port) and send state changes through the bot. A file left by a bot that died is ignored:
 * its pid is gone, or its socket does not answer.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const BOT_ADDRESS_FILE = 'bot.json';
export const BOT_SOCKET_FILE = 'bot.sock';

const BotAddress = z.object({
  pid: z.number().int().positive(),
  broker_url: z.string().min(1),
  socket: z.string().min(1),
  started_at: z.string(),
  /** `hermes up` or `hermes bot`: said by doctor. */
  process: z.string().optional(),
});
export type BotAddress = z.infer<typeof BotAddress>;

export const botAddressPath = (home: string): string => join(home, BOT_ADDRESS_FILE);
export const botSocketPath = (home: string): string => join(home, BOT_SOCKET_FILE);

/** Written to a temp file and renamed, so a reader never sees half of it. */
export function writeBotAddress(home: string, address: BotAddress): void {
  const path = botAddressPath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(address)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes the file if it is still this process's (a newer bot may have replaced it). */
export function removeBotAddress(home: string, pid: number): void {
  const current = readBotAddressFile(home);
  if (current && current.pid !== pid) return;
  try {
    unlinkSync(botAddressPath(home));
  } catch {
    // already gone
  }
}

function readBotAddressFile(home: string): BotAddress | undefined {
  let text: string;
  try {
    text = readFileSync(botAddressPath(home), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = BotAddress.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is only someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running bot of this home, or undefined when none is (no file, unreadable, its process gone). */
export function readBotAddress(
  home: string,
  isAlive: (pid: number) => boolean = alive,
): BotAddress | undefined {
  const a = readBotAddressFile(home);
  return a && isAlive(a.pid) ? a : undefined;
}
