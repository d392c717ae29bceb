/** Run the hermes CLI in-process (fast, injectable) or as a real child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import type { Clock, Random } from '../../src/clock.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const HERMES_BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

export async function runHermes(
  args: string[],
  opts: { env: Record<string, string | undefined>; stdin?: string | Buffer; clock?: Clock; random?: Random },
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runCli(args, {
    env: { HERMES_LOG_LEVEL: 'silent', ...opts.env },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    stdout,
    stderr,
    clock: opts.clock,
    random: opts.random,
  });
  return { code, stdout: out(), stderr: err() };
}

export function spawnHermes(
  args: string[],
  opts: { env: Record<string, string | undefined>; stdin?: string | Buffer; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HERMES_BIN, ...args], {
      env: { PATH: process.env.PATH, HERMES_LOG_LEVEL: 'silent', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 20_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A fresh $HERMES_HOME, removed by the returned cleanup. */
export function tempHome(prefix = 'hermes-test-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}
