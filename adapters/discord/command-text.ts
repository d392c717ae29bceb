/**
 * A `/hermes <subcommand>` use, with Discord's typed options, as the core's command text (the
 * grammar Slack users type): `register claude --runner r1 --cwd "/src/my app" fix the build`.
 * Values that could split or start a flag are quoted with a quote character they do not contain;
 * the prompt and the deny reason go last, verbatim, as the core takes the rest of the line.
 *
 * @example
 * commandText('peek', { job: 'j-abc', lines: 50 })   // 'peek j-abc 50'
 */
import { HermesError } from '../../src/errors.js';
import type { ScheduleSubcommand, Subcommand } from './commands.js';

export type OptionValues = Readonly<Record<string, string | number | boolean | undefined>>;

/** Pairs the core's tokenizer accepts (tokenize.ts), tried in order. */
const QUOTES: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['“', '”'],
  ['‘', '’'],
];
const NEEDS_QUOTES = /[\s"'“”‘’„]/;

/** One word of the command line, quoted when it has blanks or quote characters. */
export function word(value: string): string {
  if (value.length > 0 && !NEEDS_QUOTES.test(value) && !value.startsWith('--')) return value;
  return quoted(value);
}

/** Always quoted, with a pair the value does not contain. */
function quoted(value: string): string {
  const pair = QUOTES.find(([open, close]) => !value.includes(open) && !value.includes(close));
  if (!pair) throw new HermesError('usage', 'a value contains every kind of quote; leave some out');
  return `${pair[0]}${value}${pair[1]}`;
}

const str = (o: OptionValues, name: string): string | undefined => {
  const v = o[name];
  return v === undefined || v === '' ? undefined : String(v);
};

function join(parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p.length > 0).join(' ');
}

/**
 * The prompt option after `--`: it is typed text, never options, so a prompt that starts with
 * `--cwd /x` or `--overlap allow` stays the prompt (both grammars end their options at `--`).
 */
function afterOptions(prompt: string | undefined): string | undefined {
  const p = prompt?.trim();
  return p ? `-- ${p}` : undefined;
}

/** `/hermes schedule <leaf>`: the cron expression is always quoted (it has blanks), the prompt goes last. */
function scheduleText(leaf: ScheduleSubcommand, o: OptionValues, opt: (name: string) => string | undefined) {
  switch (leaf) {
    case 'add': {
      const cron = str(o, 'cron');
      const runner = opt('runner');
      const repo = opt('repo');
      const overlap = opt('overlap');
      return join([
        'schedule add',
        cron && quoted(cron),
        opt('profile'),
        runner && `--runner ${runner}`,
        repo && `--repo ${repo}`,
        overlap && `--overlap ${overlap}`,
        afterOptions(str(o, 'prompt')),
      ]);
    }
    case 'list':
      return o.all === true ? 'schedule list all' : 'schedule list';
    case 'remove':
    case 'pause':
    case 'resume':
      return join(['schedule', leaf, opt('id')]);
  }
}

export function commandText(sub: Subcommand, o: OptionValues, leaf?: ScheduleSubcommand): string {
  const opt = (name: string) => {
    const v = str(o, name);
    return v === undefined ? undefined : word(v);
  };
  switch (sub) {
    case 'register': {
      const runner = opt('runner');
      const cwd = opt('cwd');
      const maxCost = str(o, 'max_cost');
      return join([
        'register',
        opt('profile'),
        runner && `--runner ${runner}`,
        cwd && `--cwd ${cwd}`,
        maxCost && `--max-cost ${maxCost}`,
        opt('repo') && `--repo ${opt('repo')}`,
        afterOptions(str(o, 'prompt')),
      ]);
    }
    case 'list':
      return o.all === true ? 'list all' : 'list';
    case 'schedule':
      if (!leaf) throw new HermesError('usage', 'schedule what? add, list, remove, pause or resume');
      return scheduleText(leaf, o, opt);
    case 'status':
    case 'diff':
    case 'cancel':
    case 'rules':
    case 'done':
      return join([sub, opt('job')]);
    case 'reply':
      // The text goes last, verbatim: the core takes the rest of the line (no quoting needed).
      return join(['reply', opt('job'), str(o, 'text')?.trim()]);
    case 'usage':
      return join(['usage', opt('period')]);
    case 'peek':
      return join(['peek', opt('job'), str(o, 'lines')]);
    case 'approve':
    case 'deny': {
      const job = opt('job');
      const request = opt('request');
      if (request && !job) throw new HermesError('usage', 'give the job id together with the request id');
      const rule = opt('rule');
      return join([sub, job, request, rule && `--rule ${rule}`, str(o, 'reason')?.trim()]);
    }
    case 'runners':
    case 'help':
      return sub;
  }
}
