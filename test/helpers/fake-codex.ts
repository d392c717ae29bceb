/** The Codex stand-in (test/fakes/codex/fake-codex.mjs) on a PATH of its own, as `codex`. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from '../../runner/daemon/install-paths.js';

export const FAKE_CODEX = join(import.meta.dirname, '../fakes/codex/fake-codex.mjs');

/** A temp folder with `bin/codex` (a sh wrapper of the stand-in) and `state/` for the stand-in. */
export function codexOnPath(): { bin: string; state: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'fake-codex-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  const script = join(bin, 'codex');
  writeFileSync(script, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(FAKE_CODEX)} "$@"\n`);
  chmodSync(script, 0o755);
  return { bin, state: join(root, 'state'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
