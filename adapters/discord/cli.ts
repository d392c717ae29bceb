/**
 * `hermes discord register-commands [--guild ID] [--json]`: registers `/hermes` with its
 * subcommands and typed options in one guild (a bulk overwrite: running it again replaces the
 * previous definition, and other commands of this application in that guild are removed). Guild
 * commands appear at once; that is why there is no global registration here.
 */
import { REST, Routes } from 'discord.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { COMMAND_NAME, hermesCommand } from './commands.js';
import { loadDiscordConnection } from './settings.js';

interface RegisteredCommand {
  id: string;
  name: string;
  options?: Array<{ name: string }>;
}

function describeFailure(e: unknown): HermesError {
  const err = e as { status?: number; code?: number | string; message?: string };
  const hint =
    err.status === 401
      ? 'DISCORD_TOKEN was refused: reset it in the Developer Portal (Bot -> Reset Token)'
      : err.status === 403 || err.code === 50001
        ? 'the bot is not in that guild, or DISCORD_APPLICATION_ID is not its application (invite it with the applications.commands scope)'
        : undefined;
  return new HermesError('chat', `Discord refused the command registration: ${err.message ?? String(e)}`, {
    cause: e,
    ...(hint ? { hint } : {}),
  });
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('discord register-commands', ctx.args, {
    guild: { type: 'string' },
    json: { type: 'boolean' },
  });
  const settings = loadDiscordConnection(ctx.config(), ctx.env, (m) => ctx.logger().warn(m));
  const guildId = values.guild ?? settings.guildId;
  if (!guildId || !/^\d{15,21}$/.test(guildId)) {
    throw new HermesError(
      'usage',
      guildId ? `--guild ${guildId} is not a Discord id` : 'no guild to register in',
      {
        hint: 'pass --guild ID or set HERMES_DISCORD_GUILD_ID (Server Settings -> Widget -> Server ID, or Copy Server ID)',
      },
    );
  }
  const rest = new REST({ ...(settings.apiUrl ? { api: settings.apiUrl } : {}), retries: 2 }).setToken(
    settings.token,
  );
  let applicationId = settings.applicationId;
  let registered: RegisteredCommand[];
  try {
    // The bot's own application when no id is configured (GET /applications/@me).
    applicationId ??= ((await rest.get(Routes.currentApplication())) as { id: string }).id;
    registered = (await rest.put(Routes.applicationGuildCommands(applicationId, guildId), {
      body: [hermesCommand()],
    })) as RegisteredCommand[];
  } catch (e) {
    throw describeFailure(e);
  }
  const command = registered.find((c) => c.name === COMMAND_NAME);
  if (!command)
    throw new HermesError('chat', `Discord accepted the registration but lists no /${COMMAND_NAME}`);
  const subcommands = (command.options ?? []).map((o) => o.name);
  if (values.json) {
    writeJson(ctx.stdout, {
      application_id: applicationId,
      guild_id: guildId,
      command_id: command.id,
      subcommands,
    });
  } else {
    writeLine(
      ctx.stdout,
      `Registered /${COMMAND_NAME} (${subcommands.join(', ')}) in guild ${guildId} for application ${applicationId}; ` +
        'it is usable at once.',
    );
  }
  return 0;
}
