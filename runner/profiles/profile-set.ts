/**
 * The profiles one runner offers: built-ins with the config file's profiles
 * over them. The config file is parsed by zod (src/config/schema.ts), which
 * names a bad key; what zod cannot see is checked here and named the same way.
 */
import type { ProfileConfig } from '../../src/config/schema.js';
import { HermesError } from '../../src/errors.js';

const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The runner sets these for every session; a profile must not replace them. */
const RESERVED_ENV =
  /^HERMES_(JOB_ID|TOKEN_FILE|HOME|RUNNER_SOCKET|RUNNER_ID|PROFILE|NO_AUTH|MQTT_.*|TOPIC_PREFIX|AGENT_OUTPUT|FOLLOWUP|FOLLOWUP_REASON|RESUME_ARGV|MAX_COST_USD|IDLE_SECONDS)$/;

export interface Profile extends ProfileConfig {
  name: string;
  builtin: boolean;
}

function check(name: string, p: ProfileConfig): void {
  const key = `runner.profiles.${name}`;
  if (p.argv[0]!.trim() === '' || p.argv[0]!.includes('{prompt}')) {
    throw new HermesError('config', `${key}.argv[0]: must name a program (the prompt never chooses one)`);
  }
  for (const k of Object.keys(p.env)) {
    if (!ENV_KEY_RE.test(k)) throw new HermesError('config', `${key}.env.${k}: not a valid variable name`);
    if (RESERVED_ENV.test(k)) {
      throw new HermesError('config', `${key}.env.${k}: set by the runner for every session; remove it`);
    }
  }
  if (p.followup === 'resume') {
    if (!p.resume_argv) {
      throw new HermesError(
        'config',
        `${key}.resume_argv: followup: resume needs the argv of a resumed turn`,
        {
          hint: 'e.g. [claude, -p, --output-format, stream-json, --verbose, --resume, "{session_id}", --, "{prompt}"]',
        },
      );
    }
    if (p.output !== 'claude' && p.output !== 'codex') {
      throw new HermesError(
        'config',
        `${key}.output: followup: resume needs output: claude or codex (the session id comes from the agent's output)`,
      );
    }
    if (p.resume_argv[0]!.includes('{')) {
      throw new HermesError('config', `${key}.resume_argv[0]: must name a program`);
    }
  }
  for (const [i, a] of [...p.argv, ...(p.resume_argv ?? [])].entries()) {
    if (a.includes('\0')) throw new HermesError('config', `${key}.argv[${i}]: contains a NUL character`);
  }
}

export class ProfileSet {
  private readonly byName: ReadonlyMap<string, Profile>;

  constructor(builtins: Record<string, ProfileConfig>, configured: Record<string, ProfileConfig>) {
    const m = new Map<string, Profile>();
    for (const [name, p] of Object.entries(builtins)) m.set(name, { ...p, name, builtin: true });
    for (const [name, p] of Object.entries(configured)) {
      check(name, p);
      m.set(name, { ...p, name, builtin: false });
    }
    this.byName = m;
  }

  get(name: string): Profile | undefined {
    return this.byName.get(name);
  }

  /** Sorted names, as the runner's status reports them. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  list(): Profile[] {
    return this.names().map((n) => this.byName.get(n)!);
  }
}
