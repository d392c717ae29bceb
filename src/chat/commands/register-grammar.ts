/**
 * The words after `/hermes register`: options (`--runner R`, `--cwd DIR`, `--max-cost USD`,
 * `--repo NAME`, also as `--name=value`) anywhere before the prompt, the profile as the first
 * other word, and the prompt as the rest of the line, verbatim (`--` ends the options, so a prompt
 * may start with a dash). Every mistake is answered with a sentence about what was typed and what
 * to type instead: people read these, not developers.
 *
 * @example
 * register --runner build-01 claude fix the build
 * register claude --cwd "/src/my app" --max-cost 2 fix the build
 */
import { z } from 'zod';
import { HermesError } from '../../errors.js';
import { PROFILE_RE, REPO_RE } from '../../jobs/registry.js';
import { ID_RE } from '../../protocol/topics.js';
import { closest } from '../../suggest.js';
import { restFrom, type Token } from './tokenize.js';

const PROMPT_MAX = 4000;
export const EXAMPLE = '/hermes register demo tidy the README';

/** Each option: its field, and what to say when its value is missing. */
const OPTIONS = {
  runner: {
    field: 'runner',
    needs: 'the id of a paired runner, e.g. --runner build-01 (see /hermes runners)',
  },
  cwd: { field: 'cwd', needs: 'a folder on the runner, e.g. --cwd /srv/app' },
  'max-cost': { field: 'max_cost', needs: 'a budget in US dollars, e.g. --max-cost 2.50' },
  repo: { field: 'repo', needs: "one of the runner's repositories (runner.repos), e.g. --repo web" },
} as const;
type OptionName = keyof typeof OPTIONS;
const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];
const isOption = (n: string): n is OptionName => (OPTION_NAMES as string[]).includes(n);

const Registration = z.object({
  profile: z
    .string()
    .regex(
      PROFILE_RE,
      'is not a profile name: profiles are lowercase words (a-z 0-9 _ -), such as demo or claude',
    ),
  runner: z.string().regex(ID_RE, 'is not a runner id: ids use only A-Z a-z 0-9 . _ : -').optional(),
  cwd: z
    .string()
    .max(1024, 'is longer than 1024 characters')
    .refine((s) => !s.includes('\0'), 'has a NUL character')
    .optional(),
  max_cost: z.coerce
    .number({ error: 'is not a number of US dollars, e.g. --max-cost 2.50' })
    .positive('must be more than 0 dollars')
    .max(100_000, 'is more than 100000 dollars; that is surely a typo')
    .optional(),
  repo: z.string().regex(REPO_RE, 'is not a repository name: lowercase a-z 0-9 _ . -').optional(),
  prompt: z.string().max(PROMPT_MAX, `is longer than ${PROMPT_MAX} characters; shorten it`),
});
export type Registration = z.infer<typeof Registration>;

/** How a field is named in a sentence, with the value that was typed. */
function subject(field: string, raw: Record<string, string>): string {
  const value = raw[field] ?? '';
  const shown = value.length > 60 ? `${value.slice(0, 59)}…` : value;
  if (field === 'prompt') return 'the prompt';
  if (field === 'profile') return `"${shown}"`;
  return `--${field === 'max_cost' ? 'max-cost' : field} "${shown}"`;
}

function unknownOption(flag: string): HermesError {
  const near = closest(flag.slice(2), OPTION_NAMES);
  const known = OPTION_NAMES.map((n) => `--${n}`).join(', ');
  return new HermesError(
    'usage',
    `register has no option ${flag}${near ? `; did you mean --${near}?` : ''} (options: ${known})`,
  );
}

/** Parses the words after `register` (`args` tokenized from `text`). Throws a usage error to show. */
export function parseRegistration(ctx: { args: Token[]; text: string }): Registration {
  const { args } = ctx;
  const raw: Record<string, string> = {};
  let i = 0;
  let promptAt: number | undefined;
  while (i < args.length) {
    const t = args[i]!;
    if (!t.quoted && t.value === '--') {
      promptAt = i + 1;
      break;
    }
    if (t.quoted || !t.value.startsWith('--')) {
      if (raw.profile !== undefined) {
        promptAt = i;
        break;
      }
      raw.profile = t.value;
      i++;
      continue;
    }
    const [flag, inline] = t.value.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = flag.slice(2);
    if (!isOption(name)) throw unknownOption(flag);
    const value = inline ?? args[i + 1]?.value;
    const nextIsOption =
      inline === undefined && args[i + 1] && !args[i + 1]!.quoted && value!.startsWith('--');
    if (value === undefined || value === '' || nextIsOption) {
      throw new HermesError('usage', `${flag} needs a value: ${OPTIONS[name].needs}`);
    }
    const field = OPTIONS[name].field;
    if (raw[field] !== undefined) throw new HermesError('usage', `${flag} is given twice; give it once`);
    raw[field] = value;
    i += inline === undefined ? 2 : 1;
  }
  if (raw.profile === undefined) {
    throw new HermesError('usage', `say which agent profile to run and what it should do, e.g. ${EXAMPLE}`);
  }
  const prompt = promptAt === undefined ? '' : restFrom(ctx.text, args, promptAt);
  if (prompt.trim() === '') {
    throw new HermesError(
      'usage',
      `tell the ${raw.profile} agent what to do after the profile, e.g. /hermes register ${raw.profile} tidy the README`,
    );
  }
  raw.prompt = prompt;
  const r = Registration.safeParse(raw);
  if (!r.success) {
    const sentences = r.error.issues.map((x) => `${subject(String(x.path[0] ?? ''), raw)} ${x.message}`);
    throw new HermesError('usage', sentences.join('; '));
  }
  return r.data;
}
