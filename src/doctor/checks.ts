/** The checks `hermes doctor` runs, each small and independent. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newId, type Random } from '../clock.js';
import type { Config, Env } from '../config/load.js';
import { describeError } from '../errors.js';
import { silentLogger } from '../log.js';
import { connectBus } from '../mqtt/bus.js';
import { buildClientOptions, resolveBrokerUrl } from '../mqtt/options.js';
import { botDbPath } from '../store/bot-db.js';
import { chooseJournalMode, openDatabase } from '../store/sqlite.js';
import { type CheckResult, fail, ok, skip, warn } from './check.js';

const run = promisify(execFile);

export function checkHome(config: Config): CheckResult {
  if (!existsSync(config.home))
    return warn(
      'home',
      `${config.home} does not exist yet`,
      'it is created on first use; set HERMES_HOME to move it',
    );
  const mode = statSync(config.home).mode & 0o777;
  if (mode & 0o077)
    return warn(
      'home',
      `${config.home} is mode ${mode.toString(8)}`,
      `chmod 700 ${config.home} (it holds job tokens and keys)`,
    );
  return ok('home', `${config.home} (mode ${mode.toString(8)})`);
}

export function checkSqlite(config: Config): CheckResult {
  const file = botDbPath(config.home);
  try {
    const { mode, fsType } = chooseJournalMode(
      existsSync(config.home) ? file : join(process.cwd(), 'x.db'),
      config.sqlite_journal,
      readMounts(),
    );
    if (!existsSync(file))
      return ok(
        'sqlite',
        `no database yet; it will use journal_mode=${mode.toUpperCase()} (filesystem ${fsType ?? 'unknown'})`,
      );
    const db = openDatabase(file, { log: silentLogger, journal: config.sqlite_journal });
    const got = String(db.pragma('journal_mode', { simple: true }));
    const integrity = String(db.pragma('quick_check', { simple: true }));
    db.close();
    if (integrity !== 'ok')
      return fail('sqlite', `${file}: quick_check says ${integrity}`, 'restore the database from a backup');
    if (mode === 'delete') {
      return warn(
        'sqlite',
        `${file} is on ${fsType}: journal_mode=${got.toUpperCase()} (WAL does not work on network filesystems)`,
        'keep HERMES_HOME on a local disk for better concurrency',
      );
    }
    return ok('sqlite', `${file}: journal_mode=${got.toUpperCase()}, integrity ok`);
  } catch (e) {
    return fail('sqlite', describeError(e), 'check the file and its directory permissions');
  }
}

function readMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

export function checkRunners(config: Config): CheckResult {
  const file = botDbPath(config.home);
  if (!existsSync(file)) return skip('runners', 'no bot database here (this host runs no bot)');
  const db = openDatabase(file, { log: silentLogger, journal: config.sqlite_journal });
  try {
    const rows = db.prepare('SELECT id, state FROM runners ORDER BY id').all() as Array<{
      id: string;
      state: string;
    }>;
    if (rows.length === 0) {
      return warn(
        'runners',
        'no runner is paired with this bot',
        'on the runner host: hermes runner init --id R; then here: hermes runners add R --key-file F',
      );
    }
    const offline = rows.filter((r) => r.state !== 'online');
    const list = rows.map((r) => `${r.id} (${r.state})`).join(', ');
    return offline.length
      ? warn('runners', list, `start \`hermes runner\` on ${offline.map((r) => r.id).join(', ')}`)
      : ok('runners', list);
  } catch (e) {
    return fail('runners', describeError(e), 'run hermes bot once to migrate the database');
  } finally {
    db.close();
  }
}

export async function checkBroker(config: Config, random: Random, override?: string): Promise<CheckResult> {
  let url: string;
  try {
    url = resolveBrokerUrl(config, override);
  } catch (e) {
    return fail('broker', describeError(e), 'fix mqtt.url / HERMES_MQTT_URL');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const bus = await connectBus({
      url,
      log: silentLogger,
      signal: controller.signal,
      options: buildClientOptions(config, { clientId: newId('hermes-doctor', random) }, { url }),
    });
    await bus.close();
    return ok('broker', `connected to ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
  } catch (e) {
    return fail(
      'broker',
      describeError(e),
      `start a broker at ${url} or set HERMES_MQTT_URL (\`hermes up\` embeds one)`,
    );
  } finally {
    clearTimeout(timer);
  }
}

export async function checkTmux(env: Env): Promise<CheckResult> {
  try {
    const { stdout } = await run('tmux', ['-V'], { env: { PATH: env.PATH ?? '/usr/bin:/bin' } });
    const m = stdout.match(/(\d+)\.(\d+)/);
    const [maj, min] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (maj < 3 || (maj === 3 && min < 2))
      return fail('tmux', `${stdout.trim()} is too old`, 'install tmux 3.2 or newer');
    return ok('tmux', stdout.trim());
  } catch {
    return warn(
      'tmux',
      'tmux is not installed',
      'install tmux (apt-get install tmux) on hosts that run `hermes runner` or `hermes up`',
    );
  }
}

export function checkChat(config: Config, env: Env): CheckResult[] {
  const out: CheckResult[] = [];
  const slackBot = env.SLACK_BOT_TOKEN ?? (config.slack.bot_token_file ? 'file' : undefined);
  const discord = env.DISCORD_TOKEN ?? (config.discord.token_file ? 'file' : undefined);
  if (!slackBot && !discord)
    return [
      skip(
        'chat',
        'no Slack or Discord token configured: `hermes bot` runs headless, `hermes up` uses the console',
      ),
    ];
  const open = config.chat.allow_everyone;
  if (slackBot) {
    if (slackBot !== 'file' && !slackBot.startsWith('xoxb-'))
      out.push(
        fail(
          'slack',
          'SLACK_BOT_TOKEN does not look like a bot token (xoxb-…)',
          'use the Bot User OAuth Token',
        ),
      );
    else if (config.slack.mode === 'socket' && !env.SLACK_APP_TOKEN && !config.slack.app_token_file) {
      out.push(
        fail(
          'slack',
          'Socket Mode needs SLACK_APP_TOKEN (xapp-…)',
          'create an app-level token with connections:write, or set HERMES_SLACK_MODE=http',
        ),
      );
    } else if (
      config.slack.mode === 'http' &&
      !env.SLACK_SIGNING_SECRET &&
      !config.slack.signing_secret_file
    ) {
      out.push(
        fail(
          'slack',
          'HTTP mode needs SLACK_SIGNING_SECRET',
          'copy it from the app settings (Basic Information)',
        ),
      );
    } else if (!open && config.slack.allowed_users.length + config.slack.allowed_channels.length === 0) {
      out.push(
        fail(
          'slack',
          'nobody may register jobs: no allowed users or channels',
          'set HERMES_SLACK_ALLOWED_USERS / HERMES_SLACK_ALLOWED_CHANNELS (or chat.allow_everyone: true, deliberately)',
        ),
      );
    } else out.push(ok('slack', `${config.slack.mode} mode, tokens present`));
  }
  if (discord) {
    if (!config.discord.application_id)
      out.push(
        fail('discord', 'DISCORD_APPLICATION_ID is not set', 'copy it from the Discord developer portal'),
      );
    else if (
      !open &&
      config.discord.allowed_users.length +
        config.discord.allowed_roles.length +
        config.discord.allowed_channels.length ===
        0
    ) {
      out.push(
        fail(
          'discord',
          'nobody may register jobs: no allowed users, roles or channels',
          'set HERMES_DISCORD_ALLOWED_USERS / _ROLES / _CHANNELS (or chat.allow_everyone: true, deliberately)',
        ),
      );
    } else out.push(ok('discord', 'token and application id present'));
  }
  return out;
}
