/**
 * What the CLI says about its commands: `hermes --help` grouped by what people do, one group's
 * help (`hermes jobs --help`), and the answer to a command that does not exist: "did you mean"
 * and the one usage line it was probably meant to be, never the whole list thrown at a typo.
 */
import { closest } from '../suggest.js';
import { COMMANDS, type CommandEntry } from './commands.js';

/** Every command is in exactly one group (checked by test/unit/cli/help-groups.test.ts). */
export const GROUPS: ReadonlyArray<{ title: string; commands: readonly string[] }> = [
  { title: 'Start', commands: ['up', 'bot', 'runner', 'doctor'] },
  { title: 'Runners', commands: ['runner init', 'runners add', 'runners list'] },
  {
    title: 'Jobs',
    commands: [
      'jobs register',
      'jobs list',
      'jobs show',
      'watch',
      'jobs reply',
      'jobs done',
      'jobs cancel',
      'jobs claim',
      'jobs import',
      'usage',
    ],
  },
  { title: 'Approvals', commands: ['jobs decide', 'jobs rules', 'policy check'] },
  {
    title: 'Schedules',
    commands: ['schedules add', 'schedules list', 'schedules remove', 'schedules pause', 'schedules resume'],
  },
  { title: 'Agent side (inside a job)', commands: ['publish', 'ask', 'run', 'hook claude', 'hook codex'] },
  { title: 'Runner host', commands: ['sessions list', 'sessions show', 'reconcile'] },
  { title: 'Signing and chat set-up', commands: ['event sign', 'event verify', 'discord register-commands'] },
];

const name = (c: CommandEntry) => c.words.join(' ');
const byName = new Map(COMMANDS.map((c) => [name(c), c]));

function table(entries: readonly CommandEntry[], width: number): string[] {
  return entries.map((c) => `  ${name(c).padEnd(width)}  ${c.summary}`);
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => name(c).length));
  const groups = GROUPS.flatMap((g) => [
    `${g.title}:`,
    ...table(
      g.commands.map((n) => byName.get(n)!),
      width,
    ),
    '',
  ]);
  return [
    'hermes: run coding agents in tmux and steer them from chat',
    '',
    'usage: hermes [--config FILE] <command> [options]',
    '',
    ...groups,
    'Every command reads $HERMES_HOME (default ~/.hermes). `hermes <command> --help` shows its options;',
    '`hermes jobs --help` (any first word) lists that group.',
  ].join('\n');
}

/** Commands whose first word is `word` (`jobs` -> jobs register, jobs list, …). */
export function groupOf(word: string): CommandEntry[] {
  return COMMANDS.filter((c) => c.words[0] === word);
}

export function groupHelp(word: string): string {
  const members = groupOf(word);
  const width = Math.max(...members.map((c) => name(c).length));
  return [
    `hermes ${word}: ${members.length} commands`,
    '',
    ...table(members, width),
    '',
    `\`hermes ${word} <command> --help\` shows one command's options.`,
  ].join('\n');
}

/** One command's help: summary, usage, and the longer commands that start with its words. */
export function commandHelp(entry: CommandEntry): string {
  const more = COMMANDS.filter(
    (c) => c.words.length > entry.words.length && entry.words.every((w, i) => c.words[i] === w),
  );
  return [
    entry.summary,
    '',
    `usage: ${entry.usage}`,
    ...(more.length ? ['', 'also:', ...more.map((c) => `  ${c.usage}`)] : []),
  ].join('\n');
}

/**
 * The answer to words that name no command: which command was meant (the nearest by edit
 * distance, among the group's commands when the first word is a group), with its usage line.
 */
export function unknownCommand(argv: readonly string[]): string {
  const shown = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s);
  const group = groupOf(argv[0] ?? '').filter((c) => c.words.length > 1);
  if (group.length > 0 && argv[1] !== undefined) {
    const near = closest(
      argv[1],
      group.map((c) => c.words[1]!),
    );
    const meant = near === undefined ? undefined : byName.get(`${argv[0]} ${near}`);
    const typed = `${argv[0]} ${shown(argv[1])}`;
    if (meant) return `hermes: unknown command "${typed}"; did you mean "${name(meant)}"?\n  ${meant.usage}`;
    return `hermes: unknown command "${typed}"\n\n${groupHelp(argv[0]!)}`;
  }
  const first = argv[0] ?? '';
  const words = [...new Set(COMMANDS.map((c) => c.words[0]!))];
  const near = closest(first, words);
  if (near !== undefined) {
    const members = groupOf(near);
    // `jbos list`: the group was mistyped, the subcommand may be right (or nearly).
    const sub =
      argv[1] === undefined
        ? undefined
        : (closest(
            argv[1],
            members.map((c) => c.words[1] ?? ''),
          ) ?? argv[1]);
    const whole = members.find((c) => c.words.length > 1 && c.words[1] === sub);
    if (whole)
      return `hermes: unknown command "${shown(argv.slice(0, 2).join(' '))}"; did you mean "${name(whole)}"?\n  ${whole.usage}`;
    const lines =
      members.length === 1 ? [`  ${members[0]!.usage}`] : members.map((c) => `  ${c.usage.split(' [')[0]}`);
    return `hermes: unknown command "${shown(first)}"; did you mean "${near}"?\n${lines.join('\n')}`;
  }
  return `hermes: unknown command "${shown(first)}"; \`hermes --help\` lists the commands`;
}
