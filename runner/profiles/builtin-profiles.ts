/**
 * Profiles every runner has, under whatever the config file adds (a config
 * profile of the same name replaces the built-in one).
 *
 * - demo: the bundled scripted agent (runner/agents/demo-agent.ts). Needs no
 *   account and no config file, so a fresh machine can run a whole job.
 * - claude, codex, shell-script: examples of real agents. They start only
 *   where their program is installed; a job for them elsewhere ends in an
 *   `error` event that says the program is missing.
 *
 * claude reads its own stream-json output (cost, tokens, session id) and takes
 * follow-ups by resuming its session (`--resume {session_id}`); codex does the
 * same with `codex exec resume` where the installed Codex has it.
 *
 * Every argv puts `--` before `{prompt}` where the program reads options, so
 * a prompt that starts with `-` stays a prompt (see expand-argv.ts).
 */
import type { ProfileConfig, RuleListsConfig } from '../../src/config/schema.js';
import type { CodexResume } from './codex-resume.js';

/**
 * What the claude profile lets through without asking: the read-only tools, for paths inside the
 * working copy only (a Read of ~/.ssh or the runner's key is asked), and a few shell commands that
 * only show state. Everything else is asked unless a rule allows it.
 */
export const CLAUDE_DEFAULT_POLICY: RuleListsConfig = {
  deny: [],
  ask: [],
  allow: [
    'Read(./**)',
    'TodoWrite',
    'Bash(git status:*)',
    'Bash(git diff:*)',
    'Bash(git log:*)',
    'Bash(ls:*)',
    'Bash(pwd)',
  ],
};

export interface BuiltinContext {
  /** Absolute path of node (the runner's own). */
  nodePath: string;
  /** Absolute path of the compiled demo agent. */
  demoAgentPath: string;
  /** runner.demo_step_ms */
  demoStepMs: number;
  /** Whether the installed codex has `codex exec resume` (codex-resume.ts); unset: not checked. */
  codex?: CodexResume;
}

const CODEX_DESCRIPTION =
  'OpenAI Codex CLI, non-interactive (`codex exec`); its approval prompts ask the chat through the Hermes hook (needs `[features] codex_hooks = true` in Codex config.toml)';

/**
 * With `codex exec resume`: JSON output (`--json`: the thread id to resume, tokens) and follow-ups
 * as resumed turns. Without it: plain `codex exec`, no follow-ups, and the reason why.
 */
function codexProfile(resume: CodexResume | undefined): ProfileConfig {
  if (resume?.supported) {
    return {
      argv: ['codex', 'exec', '--json', '--', '{prompt}'],
      env: {},
      hooks: 'codex',
      output: 'codex',
      followup: 'resume',
      resume_argv: ['codex', 'exec', '--json', 'resume', '--', '{session_id}', '{prompt}'],
      description: `${CODEX_DESCRIPTION}; follow-ups resume its session (\`codex exec resume\`)`,
    };
  }
  const reason = resume?.reason ?? 'whether this Codex has `codex exec resume` was not checked';
  return {
    argv: ['codex', 'exec', '--', '{prompt}'],
    env: {},
    hooks: 'codex',
    output: 'text',
    followup: 'none',
    followup_reason: reason,
    description: `${CODEX_DESCRIPTION}; no follow-ups: ${reason}`,
  };
}

/** Claude Code's per-line JSON output (print mode needs --verbose for it): tokens, cost, session id. */
const CLAUDE_STREAM = ['--output-format', 'stream-json', '--verbose'];

export function builtinProfiles(ctx: BuiltinContext): Record<string, ProfileConfig> {
  return {
    demo: {
      argv: [ctx.nodePath, ctx.demoAgentPath, '--', '{prompt}'],
      env: { HERMES_DEMO_STEP_MS: String(ctx.demoStepMs) },
      hooks: 'none',
      output: 'text',
      followup: 'none',
      description:
        'scripted demo agent: reports progress, asks to edit README.md, completes if approved (writes nothing)',
    },
    claude: {
      argv: ['claude', '-p', ...CLAUDE_STREAM, '--', '{prompt}'],
      env: {},
      hooks: 'claude',
      output: 'claude',
      followup: 'resume',
      resume_argv: ['claude', '-p', ...CLAUDE_STREAM, '--resume', '{session_id}', '--', '{prompt}'],
      policy: CLAUDE_DEFAULT_POLICY,
      description:
        'Claude Code in print mode; read-only tools in the working copy run at once, other tool calls ask the chat through the Hermes hook',
    },
    codex: codexProfile(ctx.codex),
    'shell-script': {
      argv: ['sh', './hermes-task.sh', '{prompt}'],
      env: {},
      hooks: 'none',
      output: 'text',
      followup: 'none',
      description: 'runs ./hermes-task.sh from the working directory with the prompt as $1 (never as code)',
    },
  };
}
