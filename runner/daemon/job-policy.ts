/**
 * The job's static approval policy, written where its hook reads it (`jobs/<job>/policy.json`):
 * the hardline denies of this runner, the bot's org-wide rules from the signed start command, and
 * the profile's rules (a built-in claude profile's defaults when the profile sets none).
 */
import type { RuleListsConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/log.js';
import type { Policy } from '../../src/policy/evaluate.js';
import { encodeJobPolicy, JOB_POLICY_FILE } from '../../src/policy/job-policy-file.js';
import { jobPolicy, type RuleLists } from '../../src/policy/policy-set.js';
import type { StartPolicyData } from '../../src/protocol/schemas.js';
import { writePrivateJobFile } from '../job-files.js';
import { CLAUDE_DEFAULT_POLICY } from '../profiles/builtin-profiles.js';

export interface JobPolicyDeps {
  home: string;
  userHome: string | undefined;
  hardline: { add: readonly string[]; remove: readonly string[] };
  log: Logger;
}

/** The profile's own rules; a claude-hooked profile that names none gets the read-only defaults. */
export function profilePolicy(profile: { hooks: string; policy?: RuleListsConfig | undefined }): RuleLists {
  if (profile.policy) return profile.policy;
  return profile.hooks === 'claude' ? CLAUDE_DEFAULT_POLICY : {};
}

export function writeJobPolicy(
  d: JobPolicyDeps,
  jobId: string,
  profile: { name: string; hooks: string; policy?: RuleListsConfig | undefined },
  approvals: unknown,
  cwd: string,
): Policy {
  const policy = jobPolicy({
    hardlineAdd: d.hardline.add,
    hardlineRemove: d.hardline.remove,
    bot: approvals as RuleLists | undefined,
    profile: profilePolicy(profile),
  });
  if (d.hardline.remove.length > 0)
    d.log.warn(
      { job_id: jobId, removed: d.hardline.remove },
      'hardline denies removed on this runner (runner.hardline_remove): other rules or a person decide those commands',
    );
  writePrivateJobFile(d.home, jobId, JOB_POLICY_FILE, encodeJobPolicy(jobId, policy, cwd, d.userHome ?? cwd));
  return policy;
}

/**
 * The policy as the accepted start result tells the bot (`data.policy`): what `/hermes rules`
 * lists from the job's start, before any rule has decided a call.
 */
export function startPolicyData(policy: Policy): StartPolicyData {
  return {
    hardline: policy.hardline.map((h) => h.id),
    rules: policy.rules.flatMap((r) =>
      r.origin === 'granted' ? [] : [{ rule: r.rule.raw, kind: r.kind, origin: r.origin }],
    ),
  };
}
