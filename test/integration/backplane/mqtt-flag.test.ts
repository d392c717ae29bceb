/** `--mqtt URL` on the agent-side commands stands in for HERMES_MQTT_URL (and is handed on by run). */
import { describe, expect, it } from 'vitest';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { HERMES_BIN, spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

let broker: TestBroker;
let h: BotHarness;
useBotOnBroker('file', (b, harness) => {
  broker = b;
  h = harness;
});

/** The job's agent environment without HERMES_MQTT_URL: the broker comes only from --mqtt. */
function envWithoutUrl() {
  const { job, token } = h.register();
  const { HERMES_MQTT_URL: _url, ...env } = h.agentEnv(job, token);
  return { job, env };
}

describe('--mqtt URL', () => {
  it('publish and ask reach the broker it names', async () => {
    const { job, env } = envWithoutUrl();
    const p = await spawnHermes(['publish', '--event', 'started', '--mqtt', broker.url, '--json'], { env });
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ seq: 1, via: 'broker' });

    const a = await spawnHermes(['ask', '--tool', 'Bash', '--timeout', '1', '--mqtt', broker.url], { env });
    expect(a.code, a.stderr).toBe(3);
    await waitFor(() => permissionRequestsOf(h.bot!.db, job.id).length === 1, {
      timeoutMs: 10_000,
      message: 'the request reached the bot',
    });
    expect(eventsOf(h.bot!.db, job.id).map((e) => e.event)).toEqual(['started', 'permission_required']);
  });

  it('run publishes through it and passes it to the agent, whose own publish uses it', async () => {
    const { job, env } = envWithoutUrl();
    const r = await spawnHermes(
      [
        'run',
        '--mqtt',
        broker.url,
        '--',
        process.execPath,
        HERMES_BIN,
        'publish',
        '--event',
        'progress',
        '--detail',
        'from the agent',
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => h.bot!.registry.require(job.id).status === 'completed', {
      timeoutMs: 10_000,
      message: 'completed',
    });
    expect(eventsOf(h.bot!.db, job.id).map((e) => [e.event, e.detail])).toEqual([
      ['started', 'node started'],
      ['progress', 'from the agent'],
      ['completed', 'node exited with status 0'],
    ]);
  });

  it('without it and without HERMES_MQTT_URL, publish says what is missing', async () => {
    const { env } = envWithoutUrl();
    const r = await spawnHermes(['publish', '--event', 'started'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HERMES_MQTT_URL is not set/);
  });
});
