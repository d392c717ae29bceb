/** The checks `hermes doctor` runs, each small and independent. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { identityPath, type RunnerIdentity, readRunnerIdentity } from '../../runner/daemon/identity.js';
import { outboxDbPath } from '../../runner/relay/outbox-schema.js';
import { runnerDbPath } from '../../runner/session-store.js';
import { newId, type Random } from '../clock.js';
import type { Config, Env } from '../config/load.js';
import { describeError, HermesError } from '../errors.js';
import { silentLogger } from '../log.js';
import { connectBus } from '../mqtt/bus.js';
import { buildClientOptions, resolveBrokerUrl } from '../mqtt/options.js';
import { botDbPath } from '../store/bot-db.js';
import { chooseJournalMode, journalModeOf, openDatabase } from '../store/sqlite.js';
import { type CheckResult, type CheckStatus, fail, ok, skip, warn } from './check.js';

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

/** The databases a Hermes home can hold: the bot's, the runner's and the local relay's outbox. */
function databases(home: string): Array<{ label: string; file: string }> {
  return [
    { label: 'hermes.db', file: botDbPath(home) },
    { label: 'runner.db', file: runnerDbPath(home) },
    { label: 'outbox.db', file: outboxDbPath(home) },
  ];
}

const RANK: Record<CheckStatus, number> = { skip: 0, ok: 1, warn: 2, fail: 3 };

/**
 * Journal mode and integrity of every database present in $HERMES_HOME (hermes.db, runner.db,
 * outbox.db), each opened read-only so the check changes nothing. Each is compared with the mode
 * this host's setting gives (`sqlite_journal`: WAL, or DELETE on a network filesystem); the
 * owning process sets that mode when it next opens the file.
 */
export function checkSqlite(config: Config): CheckResult {
  let expected: { mode: 'wal' | 'delete'; fsType?: string };
  try {
    expected = chooseJournalMode(
      existsSync(config.home) ? botDbPath(config.home) : join(process.cwd(), 'x.db'),
      config.sqlite_journal,
      readMounts(),
    );
  } catch (e) {
    return fail('sqlite', describeError(e), 'check HERMES_HOME and its permissions');
  }
  const want = expected.mode.toUpperCase();
  const present = databases(config.home).filter((d) => existsSync(d.file));
  if (present.length === 0)
    return ok(
      'sqlite',
      `no database yet; it will use journal_mode=${want} (filesystem ${expected.fsType ?? 'unknown'})`,
    );
  let status = 'ok' as CheckStatus;
  const details: string[] = [];
  const fixes: string[] = [];
  const raise = (s: CheckStatus, fix: string) => {
    if (RANK[s] > RANK[status]) status = s;
    if (!fixes.includes(fix)) fixes.push(fix);
  };
  for (const d of present) {
    let got: string;
    let integrity: string;
    try {
      const db = openDatabase(d.file, { log: silentLogger, readonly: true });
      try {
        got = journalModeOf(db).toUpperCase();
        integrity = String(db.pragma('quick_check', { simple: true }));
      } finally {
        db.close();
      }
    } catch (e) {
      details.push(`${d.label}: ${describeError(e)}`);
      raise('fail', 'check the file and its directory permissions');
      continue;
    }
    if (integrity !== 'ok') {
      details.push(`${d.label}: quick_check says ${integrity}`);
      raise('fail', `restore ${d.label} from a backup (or move it aside)`);
      continue;
    }
    details.push(`${d.label}: journal_mode=${got}`);
    if (got !== want) {
      raise(
        'warn',
        `sqlite_journal gives ${want} here; the process that owns ${d.label} switches it when it next starts (or set HERMES_SQLITE_JOURNAL to match)`,
      );
      details[details.length - 1] += ` (expected ${want})`;
    }
  }
  if (expected.mode === 'delete' && config.sqlite_journal === 'auto') {
    raise('warn', 'keep HERMES_HOME on a local disk for better concurrency');
    details.push(`on ${expected.fsType}: WAL does not work on network filesystems`);
  }
  const detail = `${details.join('; ')}${status === 'fail' ? '' : ', integrity ok'}`;
  if (status === 'ok') return ok('sqlite', detail);
  return status === 'fail'
    ? fail('sqlite', detail, fixes.join('; '))
    : warn('sqlite', detail, fixes.join('; '));
}

function readMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** This home's runner identity: undefined when there is none, an Error when it cannot be used. */
function runnerIdentity(home: string): RunnerIdentity | Error | undefined {
  if (!existsSync(identityPath(home))) return undefined;
  try {
    return readRunnerIdentity(home);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

const INIT_FIX = 'run `hermes runner init --id R`, then `hermes runners add R --key-file F` on the bot host';

/**
 * Pairing, from whichever side this host is: the bot's paired runners (hermes.db), and this
 * home's runner identity (runner-identity.json). A runner-only host reports its id, or what to run.
 */
export function checkRunners(config: Config): CheckResult {
  const file = botDbPath(config.home);
  const identity = runnerIdentity(config.home);
  if (identity instanceof Error) {
    const hint = identity instanceof HermesError ? identity.hint : undefined;
    return fail('runners', identity.message, hint ?? INIT_FIX);
  }
  const idFile = identityPath(config.home);
  if (identity && (statSync(idFile).mode & 0o077) !== 0) {
    return warn(
      'runners',
      `${idFile} (runner ${identity.runnerId}) is readable by others`,
      `chmod 600 ${idFile}`,
    );
  }
  if (!existsSync(file)) {
    if (identity)
      return ok(
        'runners',
        `this host is runner ${identity.runnerId} (${idFile}); no bot database here, so the pairing is checked on the bot host (\`hermes runners list\`)`,
      );
    if (existsSync(runnerDbPath(config.home)))
      return fail('runners', `runner.db is here but no runner identity (${idFile})`, INIT_FIX);
    return skip(
      'runners',
      `no bot database and no runner identity here; on a runner host run \`hermes runner init --id R\``,
    );
  }
  const db = openDatabase(file, { log: silentLogger, readonly: true });
  try {
    const rows = db.prepare('SELECT id, state FROM runners ORDER BY id').all() as Array<{
      id: string;
      state: string;
    }>;
    const self = identity ? `; this host is runner ${identity.runnerId}` : '';
    if (identity && !rows.some((r) => r.id === identity.runnerId)) {
      return warn(
        'runners',
        `this host is runner ${identity.runnerId}, which this bot has not paired${rows.length ? ` (paired: ${rows.map((r) => r.id).join(', ')})` : ''}`,
        `hermes runners add ${identity.runnerId} --key-file F (the key is in ${idFile})`,
      );
    }
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
      ? warn('runners', `${list}${self}`, `start \`hermes runner\` on ${offline.map((r) => r.id).join(', ')}`)
      : ok('runners', `${list}${self}`);
  } catch (e) {
    return fail('runners', describeError(e), 'run hermes bot once to migrate the database');
  } finally {
    db.close();
  }
}

/** `source` says where the URL came from (`--mqtt`, the running bot, mqtt.url): doctor names it. */
export async function checkBroker(
  config: Config,
  random: Random,
  override?: string,
  source?: string,
): Promise<CheckResult> {
  const from = source ? ` (${source})` : '';
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
    return ok('broker', `connected to ${url.replace(/\/\/[^@/]*@/, '//***@')}${from}`);
  } catch (e) {
    return fail(
      'broker',
      `${describeError(e)}${from}`,
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
    else if (!config.discord.guild_id)
      out.push(
        fail(
          'discord',
          'HERMES_DISCORD_GUILD_ID (discord.guild_id) is not set: the adapter will not start',
          'set it to the id of your server (right-click the server -> Copy Server ID)',
        ),
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
    } else out.push(ok('discord', 'token, application id and guild present'));
  }
  return out;
}
