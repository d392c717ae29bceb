/**
 * An auto-allowed tool call, as the agent pays for it: the hook command the runner installs
 * (`node dist/agent/hook.cjs claude`) started for a PreToolUse of `Read` inside the working copy,
 * the job's policy file read and evaluated, the trace handed to the runner's local relay socket
 * (a relay runs in this process and signs it, as the daemon's does), the answer printed.
 * Interleaved with `node -e 0` in the same run. Goal (issue 11): at most 1.5x. An auto-allowed
 * Bash call (`git status && git diff`, parsed into its parts) is measured too, and the same Read
 * through `hermes hook claude` (bin/hermes.js: what a hand-written hook setting runs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivateJobFile } from '../runner/job-files.js';
import { CLAUDE_DEFAULT_POLICY } from '../runner/profiles/builtin-profiles.js';
import { encodeJobPolicy, JOB_POLICY_FILE } from '../src/policy/job-policy-file.js';
import { jobPolicy } from '../src/policy/policy-set.js';
import { startBenchRelay, timeCommandAsync } from './socket-path.js';
import { benchBroker, median } from './support.js';
import type { BenchResult } from './types.js';

const RUNS = Number(process.env.HERMES_BENCH_RUNS ?? 21);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hermes.js');
const HOOK_ENTRY = join(import.meta.dirname, '..', 'agent', 'hook.cjs');
const TOKEN = 'bench-token-0123456789abcdefghijklmnop';
const JOB = 'j-bench-hook';
const ms = (seconds: number) => Number((seconds * 1000).toFixed(1));

export async function run(): Promise<BenchResult[]> {
  const broker = await benchBroker();
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-hook-'));
  // The runner's home is the agents' HERMES_HOME (seqs and policy files), as in a job session.
  const agentHome = join(home, 'runner');
  const relay = await startBenchRelay(broker.url, agentHome, 'hermes', (id) =>
    id === JOB ? TOKEN : undefined,
  );
  try {
    const cwd = join(home, 'work');
    mkdirSync(join(cwd, 'src'), { recursive: true });
    const policy = jobPolicy({ profile: CLAUDE_DEFAULT_POLICY });
    writePrivateJobFile(agentHome, JOB, JOB_POLICY_FILE, encodeJobPolicy(JOB, policy, cwd, home));
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, HERMES_TOKEN_FILE: tokenFile };
    delete env.HERMES_MQTT_URL;
    Object.assign(env, {
      HERMES_HOME: agentHome,
      HERMES_JOB_ID: JOB,
      HERMES_RUNNER_SOCKET: relay.socketPath,
    });
    const input = (tool: string, toolInput: Record<string, unknown>) =>
      JSON.stringify({
        session_id: 's',
        cwd,
        hook_event_name: 'PreToolUse',
        tool_name: tool,
        tool_input: toolInput,
      });
    const read = input('Read', { file_path: join(cwd, 'src', 'a.ts') });
    const bash = input('Bash', { command: 'git status && git diff --stat' });
    const hook = (stdin: string) => timeCommandAsync(process.execPath, [HOOK_ENTRY, 'claude'], env, stdin);
    const viaBin = (stdin: string) => timeCommandAsync(process.execPath, [BIN, 'hook', 'claude'], env, stdin);
    await hook(read); // warm the file cache
    await viaBin(read);
    const node0: number[] = [];
    const viaRead: number[] = [];
    const viaBash: number[] = [];
    const viaBinRead: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node0.push(await timeCommandAsync(process.execPath, ['-e', '0']));
      viaRead.push(await hook(read));
      viaBash.push(await hook(bash));
      viaBinRead.push(await viaBin(read));
    }
    const n0 = ms(median(node0));
    const r = ms(median(viaRead));
    const b = ms(median(viaBash));
    const viaHermes = ms(median(viaBinRead));
    return [
      {
        name: 'hook: auto-allowed Read, median wall time',
        value: r,
        unit: 'ms',
        anchor: { name: 'node -e 0', value: n0 },
        note: `${RUNS} runs each, interleaved; node dist/agent/hook.cjs, trace signed and acked by the runner socket`,
      },
      {
        name: 'hook: auto-allowed Read / node -e 0',
        value: Number((r / n0).toFixed(2)),
        unit: 'x',
        goal: { text: '<= 1.5x node -e 0', met: r / n0 <= 1.5 },
      },
      {
        name: 'hook: auto-allowed Bash (two parts) / node -e 0',
        value: Number((b / n0).toFixed(2)),
        unit: 'x',
        anchor: { name: 'median ms', value: b },
        goal: { text: '<= 1.5x node -e 0', met: b / n0 <= 1.5 },
      },
      {
        name: 'hook via `hermes hook claude` (bin/hermes.js), auto-allowed Read / node -e 0',
        value: Number((viaHermes / n0).toFixed(2)),
        unit: 'x',
        anchor: { name: 'median ms', value: viaHermes },
        note: 'a hand-written hook setting; the runner installs the one-file entry above',
      },
    ];
  } finally {
    await relay.close();
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
