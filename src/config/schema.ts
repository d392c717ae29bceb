/**
 * The configuration file (`$HERMES_HOME/config.yaml`, or `--config FILE`),
 * parsed once by zod into a frozen object. Every key is documented in README.md.
 */
import { z } from 'zod';
import { HARDLINE_IDS } from '../policy/hardline.js';
import { parseRule } from '../policy/rule.js';
import { DEFAULT_TOPIC_PREFIX } from '../protocol/topics.js';
import { DEFAULT_MAX_WIRE_BYTES } from '../protocol/wire.js';

const csv = z.union([
  z.array(z.string()),
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
]);

export const MqttConfig = z.strictObject({
  /**
   * One broker URL, or a list tried in order (YAML list; HERMES_MQTT_URL comma-separated): the
   * client moves on to the next when one fails. Parsed to a list either way.
   */
  url: z
    .union([z.array(z.string()).min(1, 'needs at least one URL'), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((u) => u.trim()).filter(Boolean))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'must be a URL like mqtt://host:1883 or mqtts://host:8883'),
        )
        .min(1, 'needs at least one URL'),
    )
    .optional(),
  /** 4 (MQTT 3.1.1, the default; the embedded broker speaks only this) or 5. */
  protocol_version: z.union([z.literal(4), z.literal(5)]).default(4),
  /** MQTT 5: how long the broker keeps a persistent session after a disconnect. */
  session_expiry_seconds: z
    .number()
    .int()
    .min(0)
    .max(0xffff_ffff)
    .default(7 * 24 * 3600),
  topic_prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'must be topic levels without wildcards')
    .default(DEFAULT_TOPIC_PREFIX),
  username: z.string().optional(),
  /** A file holding the password (the password itself never goes into config or argv). */
  password_file: z.string().optional(),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  /** Accept a broker certificate that does not chain to ca_file (testing only). */
  insecure: z.boolean().default(false),
  /** Client id prefix for persistent sessions (bot / runner append their role and id). */
  client_id: z.string().optional(),
});

export const RelayConfig = z.strictObject({
  max_payload_bytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(DEFAULT_MAX_WIRE_BYTES),
  /** Non-terminal events whose timestamp is further than this from the bot's clock are dropped. */
  clock_skew_seconds: z.number().int().min(1).default(300),
  /**
   * A hole in a job's seqs open this long is a gap: audited, asked of the runner's outbox again,
   * shown in the thread if it cannot be filled. 0 turns gap detection off (senders whose seqs skip).
   */
  gap_grace_seconds: z.number().min(0).default(10),
  /** An event whose seq is more than this below the job's highest seq is dropped as a replay. */
  replay_window: z.number().int().min(1).default(1000),
  /** A time with no UTC offset (Python's datetime.utcnow().isoformat()): read as UTC, or dropped. */
  naive_timestamps: z.enum(['utc', 'reject']).default('utc'),
  /** An event whose seq is more than this above the job's highest seq is dropped (seq_jump). */
  max_seq_jump: z.number().int().min(1).default(1_000_000),
});

export const PublishConfig = z.strictObject({
  /** How long `hermes publish` keeps retrying before it gives up. */
  deadline_seconds: z.number().min(1).default(30),
  /** Default time `hermes ask` waits for a person. */
  ask_timeout_seconds: z.number().min(1).default(600),
});

/** A rule in Claude Code's permission-rule syntax, checked at load: the error names the key and the rule. */
const RuleText = z.string().superRefine((text, ctx) => {
  try {
    parseRule(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/** `{deny: [...], ask: [...], allow: [...]}`: deny beats ask beats allow. */
export const RuleListsConfig = z.strictObject({
  deny: z.array(RuleText).default([]),
  ask: z.array(RuleText).default([]),
  allow: z.array(RuleText).default([]),
});
export type RuleListsConfig = z.infer<typeof RuleListsConfig>;

export const ProfileConfig = z.strictObject({
  argv: z.array(z.string()).min(1, 'must name the program to run'),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** Which agent hooks the runner installs into the job's working copy. */
  hooks: z.enum(['none', 'claude', 'codex']).default('none'),
  /**
   * The profile's approval rules, evaluated in the hook on the runner host. Unset on a built-in
   * profile: its defaults (claude: read-only tools inside the working copy). Set: replaces them.
   */
  policy: RuleListsConfig.optional(),
  description: z.string().optional(),
  /**
   * `claude`: stdout is Claude Code's json / stream-json output; tokens, cost, session id are read
   * from it. `codex`: stdout is `codex exec --json` output (tokens, the thread id; no dollars).
   */
  output: z.enum(['text', 'claude', 'codex']).default('text'),
  /** How a follow-up reaches the agent: a resumed turn, keys typed into the pane, or not at all. */
  followup: z.enum(['resume', 'keys', 'none']).default('none'),
  /** Why the profile takes no follow-ups, said when a reply is refused (the built-in codex sets it). */
  followup_reason: z.string().min(1).max(300).optional(),
  /** argv of a resumed turn (`followup: resume`): `{session_id}` and `{prompt}` (the reply) are filled in. */
  resume_argv: z.array(z.string()).min(1).optional(),
  /** Budget per job in US dollars, checked at each turn's end (a job's own --max-cost can only lower it). */
  max_cost_usd: z.number().positive().optional(),
  /** Each job runs in its own git worktree of `repo` (or of the job's `--repo`); see runner.repos. */
  worktree: z.boolean().optional(),
  /** The runner.repos entry a worktree job of this profile uses when the job names none. */
  repo: z.string().optional(),
});
export type ProfileConfig = z.infer<typeof ProfileConfig>;

const RepoFile = z
  .string()
  .min(1)
  .refine(
    (f) => !f.startsWith('/') && !f.split('/').includes('..'),
    'must be a path inside the repository (relative, no ..)',
  );

/** A repository jobs may run on, each in a worktree of their own (runner/worktrees/). */
export const RepoConfig = z.strictObject({
  /** The main checkout (worktrees are added from it; it is never changed). */
  path: z.string().min(1),
  /** Branch, tag or commit each job's branch starts from. */
  base: z.string().min(1).default('main'),
  /** Ignored files an agent needs (`.env`, local config), copied into each worktree. */
  copy: z.array(RepoFile).default([]),
  /** The remote `worktree.on_success: push` pushes to. */
  remote: z.string().min(1).default('origin'),
  worktree: z
    .strictObject({
      /** `push`: a job that completed has its branch pushed (never forced). */
      on_success: z.enum(['keep', 'push']).default('keep'),
    })
    .prefault({}),
});
export type RepoConfig = z.infer<typeof RepoConfig>;

export const RunnerConfig = z.strictObject({
  id: z.string().optional(),
  tmux_socket: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be a plain socket name')
    .default('hermes'),
  linger_seconds: z.number().int().min(0).default(600),
  retention_seconds: z
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3600),
  schedule: z.string().default('* * * * *'),
  /** Working directory for jobs whose profile and request name none. */
  workdir: z.string().optional(),
  /**
   * Folders a job's requested working directory (`--cwd` from chat or `hermes jobs register`)
   * must lie in. Empty: a request may not choose one, only the profile and workdir decide.
   */
  cwd_roots: csv.default([]),
  profiles: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'profile names are lowercase words'), ProfileConfig)
    .default({}),
  /** Rules added to the built-in hardline denies on this runner: denies no allow lifts. */
  hardline_add: z.array(RuleText).default([]),
  /**
   * Built-in hardline denies removed on this runner, by name (logged at every start). Only for an
   * operator who knows why: the hook then lets other rules or a person decide those commands.
   */
  hardline_remove: z
    .array(
      z.string().refine((id) => HARDLINE_IDS.includes(id), {
        message: `not a hardline deny; the names are ${HARDLINE_IDS.join(', ')}`,
      }),
    )
    .default([]),
  /** How long a job that finished a turn waits for a follow-up before it completes. */
  idle_seconds: z.number().int().min(1).default(3600),
  repos: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'repository names are lowercase words'), RepoConfig)
    .default({}),
  /** Where job worktrees are created (default $HERMES_HOME/worktrees). */
  worktrees_dir: z.string().optional(),
  /** Pause between the built-in demo agent's steps (tests and load runs set it low). */
  demo_step_ms: z.number().int().min(0).max(60_000).default(1500),
});

export const ChatConfig = z.strictObject({
  /** Let anyone register and approve when no allow-lists are set. Off: the bot refuses to start. */
  allow_everyone: z.boolean().default(false),
  progress_interval_seconds: z.number().min(0).default(5),
  reminder_seconds: z.number().min(0).default(300),
  /** Longest an approval request stays open when the agent names no deadline. */
  approval_timeout_seconds: z.number().min(1).default(600),
  max_text_chars: z.number().int().min(100).default(2800),
});

export const SlackConfig = z.strictObject({
  mode: z.enum(['socket', 'http']).default('socket'),
  port: z.number().int().min(0).max(65535).default(3000),
  api_url: z.string().url().optional(),
  bot_token_file: z.string().optional(),
  app_token_file: z.string().optional(),
  signing_secret_file: z.string().optional(),
  allowed_users: csv.default([]),
  allowed_channels: csv.default([]),
  approvers: csv.default([]),
  approver_groups: csv.default([]),
  /** Channel for jobs registered outside chat (CLI) to announce in. */
  default_channel: z.string().optional(),
});

export const DiscordConfig = z.strictObject({
  token_file: z.string().optional(),
  application_id: z.string().optional(),
  guild_id: z.string().optional(),
  api_url: z.string().url().optional(),
  allowed_users: csv.default([]),
  allowed_roles: csv.default([]),
  allowed_channels: csv.default([]),
  approvers: csv.default([]),
  approver_roles: csv.default([]),
  default_channel: z.string().optional(),
  /**
   * Read messages in job threads as follow-ups: needs the privileged Message Content intent,
   * switched on in the Developer Portal (off there, Discord refuses the connection).
   */
  message_content: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(false),
});

export const ScheduleConfig = z.strictObject({
  /** IANA time zone the cron expressions of schedules are read in (default: the bot host's). */
  time_zone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin or UTC')
    .optional(),
  /** A scheduled time missed while the bot was down runs once at start if it is less late than this. */
  catch_up_seconds: z.number().int().min(0).default(3600),
});

export const ConfigFile = z.strictObject({
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` detects network filesystems from the mount table. */
  sqlite_journal: z.enum(['auto', 'wal', 'delete']).default('auto'),
  mqtt: MqttConfig.prefault({}),
  /** The bot's org-wide approval rules, carried to runners in each signed start command. */
  approvals: RuleListsConfig.prefault({}),
  relay: RelayConfig.prefault({}),
  publish: PublishConfig.prefault({}),
  runner: RunnerConfig.prefault({}),
  chat: ChatConfig.prefault({}),
  slack: SlackConfig.prefault({}),
  discord: DiscordConfig.prefault({}),
  schedule: ScheduleConfig.prefault({}),
});
export type ConfigFile = z.infer<typeof ConfigFile>;
