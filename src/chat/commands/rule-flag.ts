/**
 * `--rule RULE` (or `--rule=RULE`) in the approve / deny text: taken out of the text before the
 * ids and the reason are read. Quote the rule (`--rule 'Bash(npm run lint:*)'`); an unquoted rule
 * with blanks is read up to its closing parenthesis, as people type it in chat.
 */
import { HermesError } from '../../errors.js';
import { tokenize } from './tokenize.js';

export function takeRule(text: string): { text: string; rule: string | undefined } {
  const tokens = tokenize(text);
  const i = tokens.findIndex((t) => !t.quoted && (t.value === '--rule' || t.value.startsWith('--rule=')));
  if (i === -1) return { text, rule: undefined };
  const flag = tokens[i]!;
  const missing = () => new HermesError('usage', "--rule needs a rule, e.g. --rule 'Bash(npm run lint:*)'");
  let rule: string;
  let end: number;
  if (flag.value.startsWith('--rule=')) {
    rule = flag.value.slice('--rule='.length);
    end = flag.end;
  } else {
    const first = tokens[i + 1];
    if (!first) throw missing();
    end = first.end;
    rule = first.value;
    if (!first.quoted && rule.includes('(') && !rule.endsWith(')')) {
      const close = tokens.findIndex((t, k) => k > i + 1 && t.value.endsWith(')'));
      if (close !== -1) {
        end = tokens[close]!.end;
        rule = text.slice(first.start, end);
      }
    }
  }
  if (rule.trim() === '') throw missing();
  if (
    tokens
      .slice(i + 1)
      .some((t) => !t.quoted && t.start >= end && (t.value === '--rule' || t.value.startsWith('--rule=')))
  )
    throw new HermesError('usage', 'give --rule once');
  return { text: `${text.slice(0, flag.start)} ${text.slice(end)}`.trim(), rule };
}
