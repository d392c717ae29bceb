/**
 * The environment of an agent's tmux session. It holds paths and settings,
 * never a secret: the job token is a 0600 file (HERMES_TOKEN_FILE, set by
 * startAgentSession), and broker credentials are passed as the paths of the
 * files that hold them.
 */
import { delimiter, resolve } from 'node:path';
import type { Config } from '../../src/config/load.js';

export interface SessionEnvInput {
  config: Config;
  runnerId: string;
  brokerUrl: string;
  /** Folder holding the `hermes` shim (put first on PATH). */
  shimDir: string;
  /** node's folder, so `#!/usr/bin/env node` scripts find it. */
  nodeDir: string;
  /** The runner's PATH. */
  basePath: string | undefined;
  /** The local relay socket, when the runner has one. */
  runnerSocket?: string | undefined;
}

/** What of a profile (and of the job's start command) decides how `hermes run` treats the agent. */
export interface AgentProfile {
  name: string;
  env: Readonly<Record<string, string>>;
  output?: 'text' | 'claude' | 'codex';
  followup?: 'resume' | 'keys' | 'none';
  followup_reason?: string | undefined;
  resume_argv?: readonly string[] | undefined;
  max_cost_usd?: number | undefined;
}

/** The lower of the profile's budget and the job's own (`--max-cost`); undefined when neither is set. */
export function budgetOf(profileMax: number | undefined, jobMax: number | undefined): number | undefined {
  const set = [profileMax, jobMax].filter((n): n is number => typeof n === 'number' && n > 0);
  return set.length === 0 ? undefined : Math.min(...set);
}

export function sessionEnv(
  i: SessionEnvInput,
  profile: AgentProfile,
  auth: 'token' | 'none',
  job: { maxCostUsd?: number | undefined } = {},
): Record<string, string> {
  const { mqtt, publish } = i.config;
  const env: Record<string, string> = { ...profile.env };
  const path = profile.env.PATH ?? i.basePath ?? '/usr/local/bin:/usr/bin:/bin';
  env.PATH = [i.shimDir, i.nodeDir, path].join(delimiter);
  env.HERMES_RUNNER_ID = i.runnerId;
  env.HERMES_PROFILE = profile.name;
  env.HERMES_MQTT_URL = i.brokerUrl;
  env.HERMES_TOPIC_PREFIX = mqtt.topic_prefix;
  env.HERMES_PUBLISH_DEADLINE_SECONDS = String(publish.deadline_seconds);
  env.HERMES_ASK_TIMEOUT_SECONDS = String(publish.ask_timeout_seconds);
  if (mqtt.username !== undefined) env.HERMES_MQTT_USERNAME = mqtt.username;
  const files = {
    HERMES_MQTT_PASSWORD_FILE: mqtt.password_file,
    HERMES_MQTT_CA_FILE: mqtt.ca_file,
    HERMES_MQTT_CERT_FILE: mqtt.cert_file,
    HERMES_MQTT_KEY_FILE: mqtt.key_file,
  };
  // Sessions start in another directory: relative paths would point elsewhere there.
  for (const [k, v] of Object.entries(files)) if (v !== undefined) env[k] = resolve(v);
  if (auth === 'none') env.HERMES_NO_AUTH = '1';
  if (i.runnerSocket) env.HERMES_RUNNER_SOCKET = i.runnerSocket;
  if (profile.output === 'claude' || profile.output === 'codex') env.HERMES_AGENT_OUTPUT = profile.output;
  if (profile.followup_reason && (profile.followup ?? 'none') === 'none') {
    env.HERMES_FOLLOWUP_REASON = profile.followup_reason;
  }
  if (profile.followup && profile.followup !== 'none') {
    env.HERMES_FOLLOWUP = profile.followup;
    env.HERMES_IDLE_SECONDS = String(i.config.runner.idle_seconds);
    if (profile.resume_argv) env.HERMES_RESUME_ARGV = JSON.stringify(profile.resume_argv);
  }
  const budget = budgetOf(profile.max_cost_usd, job.maxCostUsd);
  if (budget !== undefined) env.HERMES_MAX_COST_USD = String(budget);
  return env;
}
