/**
 * The command table: command words -> lazily imported handler. Lazy imports
 * keep `hermes publish` (run on every agent hook) from loading the bot, Slack
 * or SQLite code it does not need.
 */
import type { CommandContext } from './context.js';

export interface CommandModule {
  run(ctx: CommandContext): Promise<number>;
}

export interface CommandEntry {
  words: string[];
  summary: string;
  usage: string;
  /** Runs until stopped and logs at `info` by default (one-shot commands log at `warn`). */
  longRunning?: boolean;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  {
    words: ['event', 'sign'],
    summary: 'sign an unsigned event read on stdin',
    usage: 'hermes event sign --token-file F < event.json',
    load: () => import('./commands/event-sign.js'),
  },
  {
    words: ['event', 'verify'],
    summary: 'check signature and schema of the wire text on stdin (exit 0 valid, 1 invalid)',
    usage: 'hermes event verify --token-file F [--max-bytes N] < wire.json',
    load: () => import('./commands/event-verify.js'),
  },
  {
    words: ['jobs', 'register'],
    summary: 'register a job (a token is generated unless --auth-token or --no-auth)',
    usage:
      'hermes jobs register --profile P [--id ID] [--runner R] [--cwd DIR] [--repo NAME] [--prompt TEXT] [--max-cost USD] [--owner WHO] [--auth-token-file F | --auth-token T | --no-auth] [--reveal-token] [--json]',
    load: () => import('./commands/jobs-register.js'),
  },
  {
    words: ['jobs', 'import'],
    summary: "bring the old fleet's jobs over with their ids and tokens (JSON lines in FILE)",
    usage: 'hermes jobs import FILE [--owner WHO] [--json]',
    load: () => import('./commands/jobs-import.js'),
  },
  {
    words: ['schedules', 'add'],
    summary: 'add a schedule: a job registered at each time of a cron expression',
    usage:
      'hermes schedules add --cron EXPR --profile P --prompt TEXT [--runner R] [--repo NAME] [--overlap skip|queue|allow] [--owner WHO] [--json]',
    load: () => import('./commands/schedules-add.js'),
  },
  {
    words: ['schedules', 'list'],
    summary: 'list schedules',
    usage: 'hermes schedules list [--json]',
    load: () => import('./commands/schedules-list.js'),
  },
  {
    words: ['schedules', 'remove'],
    summary: 'remove a schedule (its jobs stay)',
    usage: 'hermes schedules remove ID [--json]',
    load: () => import('./commands/schedules-remove.js'),
  },
  {
    words: ['schedules', 'pause'],
    summary: 'pause a schedule (no runs, no catch-up)',
    usage: 'hermes schedules pause ID [--json]',
    load: () => import('./commands/schedules-pause.js'),
  },
  {
    words: ['schedules', 'resume'],
    summary: 'resume a paused schedule',
    usage: 'hermes schedules resume ID [--json]',
    load: () => import('./commands/schedules-resume.js'),
  },
  {
    words: ['jobs', 'list'],
    summary: 'list jobs',
    usage: 'hermes jobs list [--status S] [--runner R] [--json]',
    load: () => import('./commands/jobs-list.js'),
  },
  {
    words: ['jobs', 'show'],
    summary: 'show a job with its events and permission requests',
    usage: 'hermes jobs show ID [--json]',
    load: () => import('./commands/jobs-show.js'),
  },
  {
    words: ['jobs', 'cancel'],
    summary: 'cancel a job',
    usage: 'hermes jobs cancel ID [--json]',
    load: () => import('./commands/jobs-cancel.js'),
  },
  {
    words: ['jobs', 'reply'],
    summary: "send a follow-up to a job's agent (queued; the running bot hands it to the runner)",
    usage: 'hermes jobs reply ID TEXT... [--by WHO] [--json]',
    load: () => import('./commands/jobs-reply.js'),
  },
  {
    words: ['jobs', 'done'],
    summary: 'end a job that waits for a reply (it completes)',
    usage: 'hermes jobs done ID [--by WHO] [--json]',
    load: () => import('./commands/jobs-done.js'),
  },
  {
    words: ['usage'],
    summary: 'what jobs cost (tokens, dollars) per user, channel, profile and runner',
    usage: 'hermes usage [--since today|24h|7d|DATE] [--json]',
    load: () => import('./commands/usage.js'),
  },
  {
    words: ['jobs', 'claim'],
    summary: 'claim the oldest pending job for a runner (exit 4 when none)',
    usage: 'hermes jobs claim --runner R [--json]',
    load: () => import('./commands/jobs-claim.js'),
  },
  {
    words: ['bot'],
    summary: 'run the bot: relay and record events, decisions, chat adapters when configured',
    usage: 'hermes bot [--mqtt URL]',
    longRunning: true,
    load: () => import('./commands/bot.js'),
  },
  {
    words: ['publish'],
    summary: 'agent side: sign and publish one event for $HERMES_JOB_ID',
    usage:
      'hermes publish --event started|progress|permission_required|completed|error [--detail TEXT] [--data JSON] [--deadline SECONDS] [--seq-from N] [--mqtt URL] [--json] | hermes publish --resend SEQ',
    load: () => import('../../runner/agent/publish-command.js'),
  },
  {
    words: ['ask'],
    summary: 'agent side: ask a person for permission and wait (exit 0 approve, 1 deny, 3 timeout)',
    usage:
      'hermes ask --tool NAME [--input JSON] [--reason TEXT] [--timeout SECONDS] [--deadline SECONDS] [--request-id ID] [--mqtt URL] [--policy JSON]',
    load: () => import('../../runner/agent/ask-command.js'),
  },
  {
    words: ['jobs', 'decide'],
    summary: 'approve or deny a permission request (what the chat buttons do)',
    usage:
      'hermes jobs decide ID REQUEST_ID approve|deny [--by WHO] [--reason TEXT] [--rule RULE] [--scope request|job] [--mqtt URL] [--json]',
    load: () => import('./commands/jobs-decide.js'),
  },
  {
    words: ['jobs', 'rules'],
    summary: "a job's approval rules by origin, with how many calls each answered",
    usage: 'hermes jobs rules ID [--json]',
    load: () => import('./commands/jobs-rules.js'),
  },
  {
    words: ['watch'],
    summary:
      'follow jobs: their stored events, then verified live ones until all end (exit 0 all completed, 1 any error or cancelled, 3 timeout)',
    usage: 'hermes watch ID... [--json] [--since-start] [--no-history] [--timeout SECONDS] [--mqtt URL]',
    load: () => import('./commands/watch.js'),
  },
  {
    words: ['sessions', 'list'],
    summary: "list the runner's tmux sessions (from runner.db)",
    usage: 'hermes sessions list [--status running|stopped|terminated|archived] [--json]',
    load: () => import('../../runner/cli/sessions-list.js'),
  },
  {
    words: ['sessions', 'show'],
    summary: 'show one runner session (by session name or job id)',
    usage: 'hermes sessions show NAME [--json]',
    load: () => import('../../runner/cli/sessions-show.js'),
  },
  {
    words: ['reconcile'],
    summary: 'one reconcile pass: stop vanished, kill finished, archive old sessions (exit 3: skipped)',
    usage: 'hermes reconcile --once [--linger SECONDS] [--json]',
    load: () => import('../../runner/cli/reconcile-once.js'),
  },
  {
    words: ['runner', 'init'],
    summary: "create this runner's identity and key, and print the pairing line for the bot",
    usage: 'hermes runner init --id R [--force] [--json]',
    load: () => import('../../runner/cli/runner-init.js'),
  },
  {
    words: ['runner'],
    summary: 'run the runner daemon: start, cancel and peek agents in tmux for the bot, reconcile sessions',
    usage: 'hermes runner [--id R] [--linger SECONDS] [--schedule CRON] [--mqtt URL] [--no-relay]',
    longRunning: true,
    load: () => import('../../runner/cli/runner-daemon.js'),
  },
  {
    words: ['run'],
    summary: 'agent side: run a command, publishing started and then completed or error from its exit status',
    usage: 'hermes run [--mqtt URL] -- CMD [ARGS...]',
    load: () => import('../../runner/agent/run-command.js'),
  },
  {
    words: ['hook', 'claude'],
    summary:
      'agent side: Claude Code hook (PreToolUse asks via Hermes and fails closed; others report progress)',
    usage: 'hermes hook claude [--deadline SECONDS] [--progress-deadline SECONDS] < hook-input.json',
    load: () => import('../../runner/hooks/claude-hook.js'),
  },
  {
    words: ['hook', 'codex'],
    summary:
      'agent side: Codex hook (PermissionRequest: rules, then asks via Hermes, fails closed; PreToolUse: deny rules only)',
    usage: 'hermes hook codex [--deadline SECONDS] < hook-input.json',
    load: () => import('../../runner/hooks/codex-hook.js'),
  },
  {
    words: ['policy', 'check'],
    summary:
      "what a job's hook would answer for one tool call (allow / deny / ask) and the rule that decided",
    usage: 'hermes policy check [--profile P] [--cwd DIR] --tool T [--input JSON] [--json]',
    load: () => import('../../runner/cli/policy-check.js'),
  },
  {
    words: ['runners', 'add'],
    summary: 'pair a runner with this bot (the line `hermes runner init` prints)',
    usage: 'hermes runners add R --key K | --key-file F',
    load: () => import('./commands/runners-add.js'),
  },
  {
    words: ['runners', 'list'],
    summary: 'list paired runners and their state',
    usage: 'hermes runners list [--json]',
    load: () => import('./commands/runners-list.js'),
  },
  {
    words: ['discord', 'register-commands'],
    summary: 'register the /hermes slash command (subcommands, typed options) in a Discord guild',
    usage: 'hermes discord register-commands [--guild ID] [--json]',
    load: () => import('../../adapters/discord/cli.js'),
  },
  {
    words: ['doctor'],
    summary: 'check config, broker, tmux, SQLite mode, runner pairing and chat tokens; say what to fix',
    usage: 'hermes doctor [--mqtt URL] [--json]',
    load: () => import('./commands/doctor.js'),
  },
  {
    words: ['up'],
    summary:
      'bot + runner "local" + embedded broker (unless one is configured) + chat (console when none is configured)',
    usage: 'hermes up [--console] [--mqtt URL] [--linger SECONDS] [--broker-port N]',
    longRunning: true,
    load: () => import('./commands/up.js'),
  },
];

export function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => argv[i] === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  return best ? { entry: best, rest: argv.slice(best.words.length) } : undefined;
}
