/**
 * The job's static policy as the runner hands it to the agent's hook: `$HERMES_HOME/jobs/<job>/policy.json`
 * (0600, written before the agent starts). The hook runs on every tool call, so reading it needs
 * neither zod nor the config loader: the shape is checked by hand here, and anything off is an
 * error the hook answers with a deny (fail closed).
 */
import { join } from 'node:path';
import { HermesError } from '../errors.js';
import type { Policy } from './evaluate.js';
import { HARDLINE_DENIES } from './hardline.js';
import {
  type PolicyRule,
  parseRule,
  RULE_KINDS,
  RULE_ORIGINS,
  type RuleKind,
  type RuleOrigin,
} from './rule.js';

export const JOB_POLICY_FILE = 'policy.json';
const VERSION = 1;

export interface JobPolicyFile {
  version: 1;
  job_id: string;
  /** The job's working directory: relative path rules and "inside the working copy" mean this. */
  cwd: string;
  /** The agent user's home, for `~/` rules. */
  home: string;
  /** Ids of the hardline denies in force. */
  hardline: string[];
  rules: { rule: string; kind: RuleKind; origin: RuleOrigin }[];
}

export const jobPolicyPath = (home: string, jobId: string): string =>
  join(home, 'jobs', jobId, JOB_POLICY_FILE);

export function encodeJobPolicy(jobId: string, policy: Policy, cwd: string, home: string): string {
  const file: JobPolicyFile = {
    version: VERSION,
    job_id: jobId,
    cwd,
    home,
    hardline: policy.hardline.map((h) => h.id),
    rules: policy.rules.map((r) => ({ rule: r.rule.raw, kind: r.kind, origin: r.origin })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const bad = (why: string) => new HermesError('config', `the job's policy file ${why}`);

export interface LoadedJobPolicy {
  jobId: string;
  policy: Policy;
  cwd: string;
  home: string;
}

export function decodeJobPolicy(text: string): LoadedJobPolicy {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('is not valid JSON');
  }
  const f = v as Partial<JobPolicyFile> | null;
  if (typeof f !== 'object' || f === null || f.version !== VERSION) throw bad(`is not version ${VERSION}`);
  if (typeof f.job_id !== 'string' || typeof f.cwd !== 'string' || typeof f.home !== 'string')
    throw bad('lacks job_id, cwd or home');
  if (!Array.isArray(f.hardline) || !Array.isArray(f.rules)) throw bad('lacks hardline or rules');
  const hardline = f.hardline.map((id) => {
    const h = HARDLINE_DENIES.find((x) => x.id === id);
    if (!h) throw bad(`names an unknown hardline deny ${JSON.stringify(id)}`);
    return h;
  });
  const rules: PolicyRule[] = f.rules.map((r, i) => {
    if (
      typeof r?.rule !== 'string' ||
      !(RULE_KINDS as readonly unknown[]).includes(r.kind) ||
      !(RULE_ORIGINS as readonly unknown[]).includes(r.origin)
    )
      throw bad(`has a malformed rule at rules[${i}]`);
    return { rule: parseRule(r.rule), kind: r.kind, origin: r.origin };
  });
  return { jobId: f.job_id, cwd: f.cwd, home: f.home, policy: { hardline, rules } };
}
