/** `hermes jobs register`: a new pending job; a token is generated unless told otherwise. */
import { userInfo } from 'node:os';
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import type { TokenChoice } from '../../jobs/registry.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { jobDetail } from '../format.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('jobs register', ctx.args, {
    profile: { type: 'string' },
    id: { type: 'string' },
    runner: { type: 'string' },
    prompt: { type: 'string' },
    cwd: { type: 'string' },
    repo: { type: 'string' },
    owner: { type: 'string' },
    'max-cost': { type: 'string' },
    'auth-token': { type: 'string' },
    'auth-token-file': { type: 'string' },
    'no-auth': { type: 'boolean' },
    'reveal-token': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (!values.profile) throw new HermesError('usage', 'jobs register: --profile is required');
  const tokenSources = [
    values['auth-token'] !== undefined,
    values['auth-token-file'] !== undefined,
    values['no-auth'] === true,
  ];
  if (tokenSources.filter(Boolean).length > 1) {
    throw new HermesError(
      'usage',
      'jobs register: give at most one of --auth-token, --auth-token-file, --no-auth',
    );
  }
  let auth: TokenChoice = { kind: 'generate' };
  if (values['no-auth']) auth = { kind: 'none' };
  else if (values['auth-token-file'])
    auth = { kind: 'given', token: readSecretFile(values['auth-token-file'], 'auth token') };
  else if (values['auth-token'] !== undefined) auth = { kind: 'given', token: values['auth-token'] };
  const owner = values.owner ?? `cli:${ctx.env.USER ?? userInfo().username}`;
  const maxCost = values['max-cost'] === undefined ? null : Number(values['max-cost']);
  if (maxCost !== null && !(Number.isFinite(maxCost) && maxCost > 0)) {
    throw new HermesError(
      'usage',
      `jobs register: --max-cost must be a positive number of US dollars, not ${values['max-cost']}`,
    );
  }
  return withRegistry(ctx, (registry) => {
    const job = registry.register({
      ...(values.id !== undefined ? { id: values.id } : {}),
      profile: values.profile!,
      runner: values.runner,
      prompt: values.prompt ?? '',
      cwd: values.cwd ?? null,
      repo: values.repo ?? null,
      owner,
      auth,
      maxCostUsd: maxCost,
    });
    // Only once the token was accepted: a refused one gets its error alone, not a warning first.
    if (values['auth-token'] !== undefined) {
      writeLine(
        ctx.stderr,
        'hermes: warning: --auth-token puts the secret in your shell history and `ps`; prefer --auth-token-file',
      );
    }
    const token = values['reveal-token'] ? registry.tokenOf(job.id) : undefined;
    if (values.json) writeJson(ctx.stdout, { ...jobToJson(job), ...(token !== undefined ? { token } : {}) });
    else {
      for (const l of jobDetail(job)) writeLine(ctx.stdout, l);
      if (token !== undefined) writeLine(ctx.stdout, `token     ${token ?? '(none)'}`);
    }
    return 0;
  });
}
