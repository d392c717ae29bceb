/**
 * `/hermes` as Discord knows it: one command, a subcommand per core command, typed options. The
 * router turns a use back into the core's text grammar (command-text.ts), so Discord and Slack
 * reach exactly the same handlers.
 *
 * @example
 * await rest.put(Routes.applicationGuildCommands(appId, guildId), { body: [hermesCommand()] });
 */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
  type SlashCommandStringOption,
} from 'discord.js';

export const COMMAND_NAME = 'hermes';

/** Names of the subcommands, in the order Discord shows them. */
export const SUBCOMMANDS = [
  'register',
  'list',
  'status',
  'reply',
  'done',
  'usage',
  'cancel',
  'peek',
  'diff',
  'schedule',
  'runners',
  'approve',
  'deny',
  'rules',
  'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** `/hermes schedule <…>`: a subcommand group (Discord nests one level of groups). */
export const SCHEDULE_SUBCOMMANDS = ['add', 'list', 'remove', 'pause', 'resume'] as const;
export type ScheduleSubcommand = (typeof SCHEDULE_SUBCOMMANDS)[number];

export function hermesCommand(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const job = (required: boolean, what: string) => (o: SlashCommandStringOption) =>
    o.setName('job').setDescription(what).setRequired(required).setMaxLength(128);
  const scheduleId = (o: SlashCommandStringOption) =>
    o.setName('id').setDescription('Schedule id (s-…)').setRequired(true).setMaxLength(128);
  return new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription('Run coding agents and answer their permission requests')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .addSubcommand((s) =>
      s
        .setName('register')
        .setDescription('Start an agent job; updates and approvals follow in a thread')
        .addStringOption((o) =>
          o
            .setName('profile')
            .setDescription('Which agent profile to run')
            .setRequired(true)
            .setAutocomplete(true)
            .setMaxLength(64),
        )
        .addStringOption((o) =>
          o.setName('prompt').setDescription('What the agent should do').setRequired(true).setMaxLength(4000),
        )
        .addStringOption((o) =>
          o.setName('runner').setDescription('Runner id (default: local)').setMaxLength(128),
        )
        .addStringOption((o) =>
          o.setName('cwd').setDescription('Working directory on the runner').setMaxLength(1024),
        )
        .addNumberOption((o) =>
          o
            .setName('max_cost')
            .setDescription('Budget in US dollars (checked at each turn end)')
            .setMinValue(0.01),
        )
        .addStringOption((o) =>
          o
            .setName('repo')
            .setDescription("Repository from the runner's config: the job gets its own git worktree")
            .setMaxLength(100),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('list')
        .setDescription('Jobs still running (or the latest of any state)')
        .addBooleanOption((o) => o.setName('all').setDescription('Include finished jobs')),
    )
    .addSubcommand((s) =>
      s
        .setName('status')
        .setDescription("A job's state, open requests and latest event")
        .addStringOption(job(true, 'Job id (j-…)')),
    )
    .addSubcommand((s) =>
      s
        .setName('reply')
        .setDescription("Send a follow-up to a job's agent (its next turn)")
        .addStringOption(job(true, 'Job id (j-…)'))
        .addStringOption((o) =>
          o
            .setName('text')
            .setDescription('What the agent should do next')
            .setRequired(true)
            .setMaxLength(4000),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('done')
        .setDescription('End a job that waits for a reply (it completes)')
        .addStringOption(job(true, 'Job id (j-…)')),
    )
    .addSubcommand((s) =>
      s
        .setName('usage')
        .setDescription('What jobs cost, per person, channel, profile and runner')
        .addStringOption((o) =>
          o
            .setName('period')
            .setDescription('today (default), week or month')
            .addChoices(
              { name: 'today', value: 'today' },
              { name: 'week', value: 'week' },
              { name: 'month', value: 'month' },
            ),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('cancel')
        .setDescription('Stop a job (its owner and the approvers may)')
        .addStringOption(job(true, 'Job id (j-…)')),
    )
    .addSubcommand((s) =>
      s
        .setName('peek')
        .setDescription("The last lines of the job's terminal, posted in its thread")
        .addStringOption(job(true, 'Job id (j-…)'))
        .addIntegerOption((o) =>
          o.setName('lines').setDescription('How many lines (default 20)').setMinValue(1).setMaxValue(200),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('diff')
        .setDescription('What a worktree job changed: files with +/- and the patch, in its thread')
        .addStringOption(job(true, 'Job id (j-…)')),
    )
    .addSubcommandGroup((g) =>
      g
        .setName('schedule')
        .setDescription('Jobs registered on a cron schedule in this channel')
        .addSubcommand((s) =>
          s
            .setName('add')
            .setDescription('Add a schedule: a job at each time of a cron expression')
            .addStringOption((o) =>
              o
                .setName('cron')
                .setDescription('minute hour day month weekday, e.g. 0 3 * * 1-5')
                .setRequired(true)
                .setMaxLength(200),
            )
            .addStringOption((o) =>
              o
                .setName('profile')
                .setDescription('Which agent profile to run')
                .setRequired(true)
                .setAutocomplete(true)
                .setMaxLength(64),
            )
            .addStringOption((o) =>
              o
                .setName('prompt')
                .setDescription('What the agent should do each time')
                .setRequired(true)
                .setMaxLength(4000),
            )
            .addStringOption((o) =>
              o.setName('runner').setDescription('Runner id (default: local)').setMaxLength(128),
            )
            .addStringOption((o) =>
              o.setName('repo').setDescription("Repository from the runner's config").setMaxLength(100),
            )
            .addStringOption((o) =>
              o
                .setName('overlap')
                .setDescription('While the last job still runs: skip (default), queue one run, or allow')
                .addChoices(
                  { name: 'skip', value: 'skip' },
                  { name: 'queue', value: 'queue' },
                  { name: 'allow', value: 'allow' },
                ),
            ),
        )
        .addSubcommand((s) =>
          s
            .setName('list')
            .setDescription("This channel's schedules")
            .addBooleanOption((o) => o.setName('all').setDescription('Every channel (approvers)')),
        )
        .addSubcommand((s) =>
          s.setName('remove').setDescription('Remove a schedule (its jobs stay)').addStringOption(scheduleId),
        )
        .addSubcommand((s) =>
          s
            .setName('pause')
            .setDescription('Pause a schedule (no runs, no catch-up)')
            .addStringOption(scheduleId),
        )
        .addSubcommand((s) =>
          s.setName('resume').setDescription('Resume a paused schedule').addStringOption(scheduleId),
        ),
    )
    .addSubcommand((s) => s.setName('runners').setDescription('Runners, their state and profiles'))
    .addSubcommand((s) =>
      s
        .setName('approve')
        .setDescription('Approve a permission request (the only open one when no id is given)')
        .addStringOption(job(false, 'Job id (j-…)'))
        .addStringOption((o) => o.setName('request').setDescription('Request id').setMaxLength(128))
        .addStringOption((o) =>
          o
            .setName('rule')
            .setDescription('Also allow this rule for the rest of the job, e.g. Bash(npm run lint:*)')
            .setMaxLength(1000),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('deny')
        .setDescription('Deny a permission request, optionally saying why')
        .addStringOption(job(false, 'Job id (j-…)'))
        .addStringOption((o) => o.setName('request').setDescription('Request id').setMaxLength(128))
        .addStringOption((o) =>
          o.setName('reason').setDescription('Why not (the agent receives it)').setMaxLength(500),
        )
        .addStringOption((o) =>
          o
            .setName('rule')
            .setDescription('Also deny this rule for the rest of the job, e.g. Bash(rm:*)')
            .setMaxLength(1000),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('rules')
        .setDescription("A job's approval rules by origin, with how many calls each answered")
        .addStringOption(job(true, 'Job id (j-…)')),
    )
    .addSubcommand((s) => s.setName('help').setDescription('Every command, with its options'))
    .toJSON();
}
