/**
 * The static half of an approval, decided in the hook process on the runner host with no network
 * round trip: the job's policy file (hardline, bot and profile rules, written by the runner at
 * start) applied to the tool call. `allow` and `deny` answer at once; `ask` goes to a person.
 *
 * A job without a policy file (an agent started by hand, a runner older than policies) still gets
 * the built-in hardline denies and asks for everything else. A policy file that cannot be read is
 * a fault, answered with a deny.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { describeError } from '../../src/errors.js';
import { evaluate, type Verdict } from '../../src/policy/evaluate.js';
import { HARDLINE_DENIES } from '../../src/policy/hardline.js';
import { decodeJobPolicy, jobPolicyPath, type LoadedJobPolicy } from '../../src/policy/job-policy-file.js';
import type { Env } from '../agent/agent-env.js';

export type GateResult =
  | { kind: 'decided'; verdict: Verdict & { decision: 'allow' | 'deny' }; cwd: string }
  | { kind: 'ask'; verdict: Verdict; cwd: string }
  | { kind: 'fault'; why: string };

const ID_LIKE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function loadPolicy(env: Env, fallbackCwd: string): LoadedJobPolicy {
  const home = env.HERMES_HOME;
  const jobId = env.HERMES_JOB_ID;
  const fallback: LoadedJobPolicy = {
    jobId: jobId ?? '',
    cwd: fallbackCwd,
    home: env.HOME ?? homedir(),
    policy: { hardline: HARDLINE_DENIES, rules: [] },
  };
  if (!home || !jobId || !ID_LIKE.test(jobId)) return fallback;
  let text: string;
  try {
    text = readFileSync(jobPolicyPath(home, jobId), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
  const loaded = decodeJobPolicy(text);
  if (loaded.jobId !== jobId) throw new Error(`the policy file belongs to job ${loaded.jobId}, not ${jobId}`);
  return loaded;
}

export function policyGate(
  tool: string,
  input: Record<string, unknown>,
  env: Env,
  hookCwd: string | undefined,
): GateResult {
  let loaded: LoadedJobPolicy;
  try {
    loaded = loadPolicy(env, hookCwd ?? process.cwd());
  } catch (e) {
    return { kind: 'fault', why: `the job's approval policy cannot be read (${describeError(e)})` };
  }
  const ctx = { cwd: loaded.cwd, home: loaded.home };
  let verdict: Verdict;
  try {
    verdict = evaluate(loaded.policy, { tool, input }, ctx);
  } catch (e) {
    return { kind: 'fault', why: `the approval policy could not be applied (${describeError(e)})` };
  }
  if (verdict.decision === 'ask') return { kind: 'ask', verdict, cwd: loaded.cwd };
  return { kind: 'decided', verdict: verdict as Verdict & { decision: 'allow' | 'deny' }, cwd: loaded.cwd };
}

/** `data.policy` of the permission request: what the static rules said, for the bot and the chat. */
export function askPolicyData(verdict: Verdict, cwd: string): Record<string, unknown> {
  const rule = verdict.by[0];
  return {
    decision: 'ask',
    reason: verdict.reason,
    ...(rule ? { rule: rule.name, origin: rule.origin } : {}),
    ...(verdict.uncovered ? { uncovered: verdict.uncovered } : {}),
    cwd,
  };
}
