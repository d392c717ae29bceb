import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../../runner/daemon/install-paths.js';
import { sessionLaunch } from '../../../../runner/daemon/session-launch.js';
import { loadConfig } from '../../../../src/config/load.js';

const config = loadConfig({
  env: {
    HERMES_HOME: '/nonexistent-runner-home',
    HERMES_TOPIC_PREFIX: 'team/a',
    HERMES_MQTT_USERNAME: 'runner-r1',
    HERMES_MQTT_PASSWORD_FILE: 'secrets/mqtt-password',
    HERMES_MQTT_CA_FILE: '/etc/hermes/ca.pem',
  },
});
const install = {
  root: '/opt/hermes',
  hermesBin: '/opt/hermes/bin/hermes.js',
  demoAgent: '/opt/hermes/dist/runner/agents/demo-agent.js',
  hookEntry: '/opt/hermes/dist/agent/hook.cjs',
  node: '/opt/node/bin/node',
};

describe('session launch', () => {
  const launch = sessionLaunch({
    config,
    runnerId: 'r1',
    brokerUrl: 'mqtts://broker:8883',
    install,
    shimDir: '/h/bin',
    env: { PATH: '/usr/bin:/bin', HOME: '/home/runner' },
    runnerSocket: '/h/runner.sock',
  });

  it('gives the agent paths and settings, never a secret, and cannot be overridden by the profile', () => {
    const env = launch.envFor({ name: 'review', env: { MODE: 'strict' } }, 'token');
    expect(env).toEqual({
      MODE: 'strict',
      PATH: '/h/bin:/opt/node/bin:/usr/bin:/bin',
      HERMES_RUNNER_ID: 'r1',
      HERMES_PROFILE: 'review',
      HERMES_MQTT_URL: 'mqtts://broker:8883',
      HERMES_TOPIC_PREFIX: 'team/a',
      HERMES_PUBLISH_DEADLINE_SECONDS: '30',
      HERMES_ASK_TIMEOUT_SECONDS: '600',
      HERMES_MQTT_USERNAME: 'runner-r1',
      // Relative paths are made absolute: the session runs elsewhere.
      HERMES_MQTT_PASSWORD_FILE: `${process.cwd()}/secrets/mqtt-password`,
      HERMES_MQTT_CA_FILE: '/etc/hermes/ca.pem',
      HERMES_RUNNER_SOCKET: '/h/runner.sock',
    });
    expect(launch.envFor({ name: 'x', env: {} }, 'none').HERMES_NO_AUTH).toBe('1');
    expect(launch.envFor({ name: 'x', env: { PATH: '/opt/tools' } }, 'token').PATH).toBe(
      '/h/bin:/opt/node/bin:/opt/tools',
    );
  });

  it('tells hermes run how to read the agent and why it takes no follow-ups (built-in codex)', () => {
    const codex = launch.envFor(
      { name: 'codex', env: {}, output: 'codex', followup: 'none', followup_reason: 'no exec resume here' },
      'token',
    );
    expect(codex).toMatchObject({
      HERMES_AGENT_OUTPUT: 'codex',
      HERMES_FOLLOWUP_REASON: 'no exec resume here',
    });
    expect(codex.HERMES_FOLLOWUP).toBeUndefined();
    const resumed = launch.envFor(
      {
        name: 'codex',
        env: {},
        output: 'codex',
        followup: 'resume',
        resume_argv: ['codex', 'exec', 'resume'],
      },
      'token',
    );
    expect(resumed).toMatchObject({ HERMES_AGENT_OUTPUT: 'codex', HERMES_FOLLOWUP: 'resume' });
    expect(resumed.HERMES_FOLLOWUP_REASON).toBeUndefined();
  });

  it('wraps the agent in hermes run with PATH set by env (tmux would replace it)', () => {
    expect(launch.wrap(['claude', '-p', '--', 'fix it'], { PATH: '/h/bin:/usr/bin' })).toEqual([
      'env',
      'PATH=/h/bin:/usr/bin',
      '/opt/node/bin/node',
      '/opt/hermes/bin/hermes.js',
      'run',
      '--',
      'claude',
      '-p',
      '--',
      'fix it',
    ]);
    expect(launch.hermesCommand).toBe('/h/bin/hermes');
    // Hooks run node on the one-file hook entry, not the shell shim and bin/hermes.js.
    expect(launch.hookCommand).toEqual(['/opt/node/bin/node', '/opt/hermes/dist/agent/hook.cjs']);
    expect(launch.defaultCwd).toBe('/home/runner');
  });

  it('quotes paths for the hermes shim', () => {
    expect(shellQuote("/opt/it's here/node")).toBe(`'/opt/it'"'"'s here/node'`);
  });
});
