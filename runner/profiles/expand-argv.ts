/**
 * Turning a profile's argv and a chat prompt into the argv the agent runs.
 *
 * `{prompt}` is replaced inside argv elements; the prompt always stays inside
 * the element it was placed in (one argument, never split, never given to a
 * shell). One more trap: a prompt that starts with `-`, placed as a whole
 * argument, would be read as an option by most programs
 * (`--dangerously-skip-permissions`). Unless the profile ends option parsing
 * with `--` before it, such a prompt is refused.
 */
import { HermesError } from '../../src/errors.js';

export const PROMPT_PLACEHOLDER = '{prompt}';

export function expandArgv(profileName: string, argv: readonly string[], prompt: string): string[] {
  if (prompt.includes('\0')) throw new HermesError('usage', 'the prompt must not contain NUL characters');
  const out: string[] = [];
  let optionsEnded = false;
  argv.forEach((arg, i) => {
    if (i > 0 && arg === '--') optionsEnded = true;
    if (i > 0 && arg === PROMPT_PLACEHOLDER && !optionsEnded && prompt.startsWith('-')) {
      throw new HermesError(
        'forbidden',
        `profile ${profileName} passes the prompt where its program reads options, and the prompt starts with "-"`,
        { hint: `rephrase the prompt, or put "--" before ${PROMPT_PLACEHOLDER} in the profile argv` },
      );
    }
    // A replacer function: a string replacement would expand `$&` and friends found in the prompt.
    out.push(i === 0 ? arg : arg.replaceAll(PROMPT_PLACEHOLDER, () => prompt));
  });
  return out;
}
