/**
 * node:util parseArgs errors as sentences about what was typed: "no option --jsn; did you mean
 * --json?" instead of "Unknown option '--jsn'", and "--status needs a value" instead of
 * "Option '--status <value>' argument missing".
 */
import { closest } from '../suggest.js';

export function flagProblem(cause: unknown, known: readonly string[]): string {
  const e = cause as { code?: string; message?: string };
  const message = e?.message ?? String(cause);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const options = known.map((k) => `--${k}`).join(', ');
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const typed = quoted ?? '?';
      const near = closest(typed.replace(/^-+/, '').split('=')[0]!, known);
      return `no option ${typed}${near ? `; did you mean --${near}?` : ''}${options ? ` (options: ${options})` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted?.split(' ')[0];
      return flag && /argument missing/.test(message) ? `${flag} needs a value` : message;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `takes no argument "${quoted ?? '?'}"${options ? ` (options: ${options})` : ''}`;
    default:
      return message;
  }
}
