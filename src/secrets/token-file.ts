/** Reading secrets from files: the only way a secret enters a Hermes command. */
import { readFileSync, statSync } from 'node:fs';
import { HermesError } from '../errors.js';

export interface SecretFileCheck {
  /** Called with a warning when the file is readable by group or others. */
  warn?: (message: string) => void;
}

/** The file's content without its trailing newline. Empty files are refused. */
export function readSecretFile(path: string, what: string, check: SecretFileCheck = {}): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new HermesError('env', `cannot read ${what} file ${path}: ${code ?? (cause as Error).message}`, {
      cause,
    });
  }
  try {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0 && check.warn) check.warn(`${what} file ${path} is readable by others; chmod 600 it`);
  } catch {
    // stat after a successful read can only fail on a race; the read is what matters
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new HermesError('env', `${what} file ${path} is empty`);
  return value;
}
