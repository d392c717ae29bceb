/**
 * `hermes policy check [--profile P] [--cwd DIR] --tool T --input JSON [--json]`: what the hook of a
 * job of profile P (default claude) would answer for one tool call, and the rule that decided, from
 * this host's config (the bot's `approvals`, the runner's hardline settings and profiles). For
 * operators writing rules: no job, broker or database is touched.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { jobPolicy } from '../../src/policy/policy-set.js';
import { proposeRule } from '../../src/policy/propose.js';
import { findInstallPaths } from '../daemon/install-paths.js';
import { profilePolicy } from '../daemon/job-policy.js';
import { runnerProfiles } from '../daemon/runner-setup.js';

function parseInput(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HermesError('usage', `policy check: --input is not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HermesError(
      'usage',
      'policy check: --input must be a JSON object, e.g. {"command": "npm test"}',
    );
  return v as Record<string, unknown>;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('policy check', ctx.args, {
    profile: { type: 'string' },
    cwd: { type: 'string' },
    tool: { type: 'string' },
    input: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.tool) throw new HermesError('usage', 'policy check: --tool is required (e.g. --tool Bash)');
  const input = parseInput(values.input);
  const config = ctx.config();
  const name = values.profile ?? 'claude';
  const profiles = runnerProfiles(config, findInstallPaths());
  const profile = profiles.get(name);
  if (!profile)
    throw new HermesError(
      'usage',
      `policy check: no profile ${name} (this host offers: ${profiles.names().join(', ')})`,
    );
  const policy = jobPolicy({
    hardlineAdd: config.runner.hardline_add,
    hardlineRemove: config.runner.hardline_remove,
    bot: config.approvals,
    profile: profilePolicy(profile),
  });
  const pathCtx = { cwd: resolve(values.cwd ?? profile.cwd ?? '.'), home: ctx.env.HOME ?? homedir() };
  const call = { tool: values.tool, input };
  const verdict = evaluate(policy, call, pathCtx);
  const proposal = verdict.decision === 'ask' ? proposeRule(call, pathCtx, verdict.uncovered) : undefined;
  if (values.json) {
    writeJson(ctx.stdout, {
      decision: verdict.decision,
      reason: verdict.reason,
      rules: verdict.by,
      ...(verdict.uncovered ? { uncovered: verdict.uncovered } : {}),
      ...(proposal ? { proposed_rule: proposal } : {}),
    });
  } else {
    writeLine(ctx.stdout, `${verdict.decision}: ${verdict.reason}`);
    if (proposal) writeLine(ctx.stdout, `chat would offer: Approve ${proposal} for this job`);
  }
  return 0;
}
