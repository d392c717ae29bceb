/**
 * The words of `/hermes schedule add "<cron>" <profile> [--runner R] [--repo NAME]
 * [--overlap skip|queue|allow] <prompt…>`. The cron expression has blanks, so it is one quoted
 * word ("0 3 * * *"; Slack's typographic quotes work too); flags sit between the profile and the
 * prompt, as in `register`; `--` ends them, so a prompt may start with `--` (Discord always sends it).
 */
import { z } from 'zod';
import { HermesError } from '../../errors.js';
import { PROFILE_RE, REPO_RE } from '../../jobs/registry.js';
import { ID_RE } from '../../protocol/topics.js';
import { OVERLAPS } from '../../schedules/schedule-store.js';
import { restFrom, type Token } from './tokenize.js';

const PROMPT_MAX = 4000;
const FLAGS = ['runner', 'repo', 'overlap'] as const;

const NewScheduleInput = z.object({
  cron: z.string().min(1, 'give the cron expression in quotes, e.g. "0 3 * * *"').max(200),
  profile: z.string().regex(PROFILE_RE, 'the profile must be a lowercase word (a-z 0-9 _ -)'),
  runner: z.string().regex(ID_RE, 'the runner id may only have A-Z a-z 0-9 . _ : -').default('local'),
  repo: z.string().regex(REPO_RE, 'the repository must be a lowercase name (a-z 0-9 _ . -)').optional(),
  overlap: z.enum(OVERLAPS, { error: '--overlap is skip, queue or allow' }).default('skip'),
  prompt: z
    .string()
    .min(1, 'give a prompt')
    .max(PROMPT_MAX, `the prompt is longer than ${PROMPT_MAX} characters`),
});
export type NewScheduleInput = z.infer<typeof NewScheduleInput>;

/**
 * Parses the words after `schedule add` (`args`, `text` as typed). `valid` is the cron check
 * (node-cron's own), so a bad expression is refused before anything is stored.
 */
export function parseScheduleAdd(
  args: Token[],
  text: string,
  valid: (expr: string) => boolean,
): NewScheduleInput {
  const first = args[0];
  // An unquoted first word followed by more cron-looking words: the quotes were forgotten.
  if (first && !first.quoted && /^[\d*]/.test(first.value) && /^[\d*/,-]+$/.test(args[1]?.value ?? ''))
    throw new HermesError('usage', 'put the cron expression in quotes: schedule add "0 3 * * *" <profile> …');
  const raw: Record<string, string | undefined> = { cron: first?.value, profile: args[1]?.value };
  let i = 2;
  for (;;) {
    const t = args[i];
    if (!t || t.quoted || !t.value.startsWith('--')) break;
    // `--` ends the options: what follows is the prompt even if it starts like an option.
    if (t.value === '--') {
      i++;
      break;
    }
    const [flag, inline] = t.value.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = flag.slice(2);
    if (!(FLAGS as readonly string[]).includes(name))
      throw new HermesError('usage', `unknown option ${flag}`);
    const value = inline ?? args[i + 1]?.value;
    if (value === undefined) throw new HermesError('usage', `${flag} needs a value`);
    if (raw[name] !== undefined) throw new HermesError('usage', `${flag} is given twice; give it once`);
    raw[name] = value;
    i += inline === undefined ? 2 : 1;
  }
  raw.prompt = restFrom(text, args, i);
  const r = NewScheduleInput.safeParse(raw);
  if (!r.success) throw new HermesError('usage', r.error.issues.map((x) => x.message).join('; '));
  if (!valid(r.data.cron))
    throw new HermesError(
      'usage',
      `"${r.data.cron}" is not a cron expression (minute hour day month weekday)`,
    );
  return r.data;
}
