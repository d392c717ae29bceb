/**
 * `hermes jobs import FILE [--owner WHO] [--json]`: bring the old fleet's jobs over with their ids
 * and tokens. FILE holds JSON lines `{job_id, auth_token, profile?, runner?, prompt?, status?}`;
 * tokens come from the file only, never argv. Every line is checked before anything is written,
 * and all jobs are registered in one transaction: a bad line imports nothing and names the line.
 * Imported jobs accept their agents' signed events at once (default status `running`: the agent is
 * already at work under the fleet, so no runner is asked to start it).
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import { HermesError } from '../../errors.js';
import { CHOSEN_ID_RE } from '../../jobs/registry.js';
import { formatIssues } from '../../protocol/schemas.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { immediate } from '../../store/sqlite.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

const ImportLine = z.strictObject({
  job_id: z
    .string()
    .regex(CHOSEN_ID_RE, 'must be 1-128 letters, digits, _ or - (starting with a letter or digit)'),
  /** null: the fleet's job had no token; it is imported unsigned (marked so everywhere). */
  auth_token: z.string().nullable(),
  profile: z.string().default('imported'),
  runner: z.string().optional(),
  prompt: z.string().default(''),
  status: z.enum(['pending', 'running', 'waiting', 'completed', 'error', 'cancelled']).default('running'),
});
type ImportLine = z.infer<typeof ImportLine>;

function parseLines(text: string, file: string): ImportLine[] {
  const out: ImportLine[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new HermesError('usage', `jobs import: ${where} is not JSON: ${(e as Error).message}`);
    }
    const r = ImportLine.safeParse(value);
    if (!r.success) throw new HermesError('usage', `jobs import: ${where}: ${formatIssues(r.error)}`);
    if (seen.has(r.data.job_id))
      throw new HermesError('usage', `jobs import: ${where}: job ${r.data.job_id} is in the file twice`);
    seen.add(r.data.job_id);
    out.push(r.data);
  });
  return out;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(
    'jobs import',
    ctx.args,
    { owner: { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs import: give exactly one FILE');
  const file = positionals[0]!;
  // The file holds tokens: read it as a secret (a warning when others can read it).
  const text = readSecretFile(file, 'jobs import', {
    warn: (m) => writeLine(ctx.stderr, `hermes: warning: ${m}`),
  });
  const lines = parseLines(text, file);
  if (lines.length === 0) throw new HermesError('usage', `jobs import: ${file} holds no jobs`);
  const owner = values.owner ?? `cli:${ctx.env.USER ?? userInfo().username}`;
  return withRegistry(ctx, (registry, db) => {
    const jobs = immediate(db, () =>
      lines.map((l, i) => {
        try {
          return registry.register({
            id: l.job_id,
            profile: l.profile,
            runner: l.runner,
            prompt: l.prompt,
            owner,
            status: l.status,
            auth: l.auth_token === null ? { kind: 'none' } : { kind: 'given', token: l.auth_token },
          });
        } catch (e) {
          if (e instanceof HermesError)
            throw new HermesError(
              e.code,
              `jobs import: ${file} job ${l.job_id} (entry ${i + 1}): ${e.message}`,
            );
          throw e;
        }
      }),
    );
    if (values.json) writeJson(ctx.stdout, { imported: jobs.map((j) => ({ id: j.id, status: j.status })) });
    else {
      for (const j of jobs)
        writeLine(ctx.stdout, `${j.id} ${j.status}${j.auth === 'none' ? ' UNSIGNED' : ''}`);
      writeLine(ctx.stdout, `imported ${jobs.length} job${jobs.length === 1 ? '' : 's'}`);
    }
    return 0;
  });
}
