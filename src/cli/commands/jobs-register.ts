/** `hermes jobs register`: a new pending job; a token is generated unless told otherwise. */
import { userInfo } from 'node:os';
import { unpairedRunner } from '../../bot/registration-check.js';
import { RunnersStore } from '../../bot/runners-store.js';
import { HermesError } from '../../errors.js';
import { jobFromJson, jobToJson } from '../../jobs/job.js';
import type { TokenChoice } from '../../jobs/registry.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { callRunningBot, NO_BOT_NOTE } from '../bot-link.js';
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
  const registration = {
    ...(values.id !== undefined ? { id: values.id } : {}),
    profile: values.profile,
    ...(values.runner !== undefined ? { runner: values.runner } : {}),
    prompt: values.prompt ?? '',
    cwd: values.cwd ?? null,
    repo: values.repo ?? null,
    owner,
    maxCostUsd: maxCost,
  };
  const { maxCostUsd, ...rest } = registration;
  const viaBot = await callRunningBot(ctx, 'register', {
    ...rest,
    max_cost_usd: maxCostUsd,
    auth,
    reveal_token: values['reveal-token'] === true,
  });
  if (viaBot) {
    const { job, token, unpaired } = viaBot.result as {
      job: ReturnType<typeof jobToJson>;
      token?: string | null;
      unpaired?: string;
    };
    warnAfterRegistration(ctx, values['auth-token'] !== undefined, unpaired);
    print(ctx, job, token, values.json === true);
    return 0;
  }
  return withRegistry(ctx, (registry, db) => {
    const job = registry.register({ ...registration, auth });
    warnAfterRegistration(
      ctx,
      values['auth-token'] !== undefined,
      unpairedRunner(new RunnersStore(db, ctx.clock).list(), registration),
    );
    const token = values['reveal-token'] ? registry.tokenOf(job.id) : undefined;
    print(ctx, jobToJson(job), token, values.json === true);
    writeLine(ctx.stderr, `hermes: ${NO_BOT_NOTE}`);
    return 0;
  });
}

// Only once the job was accepted: a refused one gets its error alone, not a warning first.
function warnAfterRegistration(ctx: CommandContext, tokenInArgv: boolean, unpaired: string | undefined) {
  if (tokenInArgv) {
    writeLine(
      ctx.stderr,
      'hermes: warning: --auth-token puts the secret in your shell history and `ps`; prefer --auth-token-file',
    );
  }
  if (unpaired) {
    writeLine(
      ctx.stderr,
      `hermes: warning: ${unpaired}; the job waits until that runner is paired or a worker claims it (hermes jobs claim)`,
    );
  }
}

function print(
  ctx: CommandContext,
  job: ReturnType<typeof jobToJson>,
  token: string | null | undefined,
  json: boolean,
) {
  if (json) writeJson(ctx.stdout, { ...job, ...(token !== undefined ? { token } : {}) });
  else {
    for (const l of jobDetail(jobFromJson(job))) writeLine(ctx.stdout, l);
    if (token !== undefined) writeLine(ctx.stdout, `token     ${token ?? '(none)'}`);
  }
}
