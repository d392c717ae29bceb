/**
 * The broker matrix: the Slack-driven journey (register -> permission -> Approve -> completed,
 * announced once -> session terminated) with every process on its own, on each broker besides
 * Mosquitto (test/e2e/external-broker.test.ts runs it there): NATS with its MQTT listener, and
 * RabbitMQ 3.10 with its MQTT plugin (a private node, test/helpers/rabbitmq.ts; it gives retained
 * messages to exact-topic subscriptions only, which is what the bot's runner-status subscriptions
 * rely on). Bot and runner get the broker as a list whose first endpoint is dead, so the failover
 * path of the endpoint list is on the journey too. Each is skipped, loudly, when its broker is
 * missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEvents, botJob, botRunnerState, isContiguous } from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import { hasNatsServer } from '../helpers/nats.js';
import { freePort } from '../helpers/ports.js';
import { hasRabbitMq, RABBITMQ_BOOT_MS } from '../helpers/rabbitmq.js';
import { announcements, click, permissionMessage, slashRegister } from '../helpers/slack-chat.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const brokers = [
  { kind: 'nats' as const, name: 'NATS (MQTT)', present: hasNatsServer(), bootMs: 0 },
  {
    kind: 'rabbitmq' as const,
    name: 'RabbitMQ (MQTT plugin)',
    present: hasRabbitMq(),
    bootMs: RABBITMQ_BOOT_MS,
  },
];

for (const b of brokers) {
  const canRun = (hasTmux() && b.present) || requireSystemDeps();
  if (!canRun) console.warn(`!! tmux or ${b.kind} missing: the journey on ${b.name} is SKIPPED`);

  describe.skipIf(!canRun)(`the journey on ${b.name}, through an endpoint list`, () => {
    let w: HermesWorld;

    beforeAll(async () => {
      const dead = `mqtt://127.0.0.1:${await freePort()}`;
      // The first endpoint refuses connections: bot, runner and agents move on to the broker.
      w = await startWorld({ brokerKind: b.kind, mqttUrl: (url) => `${dead},${url}` });
      await w.startBot();
      await w.startRunner();
      await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'online', {
        timeoutMs: 30_000,
        message: 'the bot to record the runner online',
      });
    }, 180_000 + b.bootMs);
    afterAll(async () => {
      await w?.close();
    });
    it('register -> permission -> Approve -> completed, every event in order', {
      timeout: 180_000,
    }, async () => {
      const { jobId } = await slashRegister(
        w.slack,
        `register demo --runner ${w.runnerId} "tidy the README"`,
      );
      const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
      await click(w.slack, ask, 'approve');
      await waitFor(() => announcements(w.slack, jobId).length > 0, {
        timeoutMs: 60_000,
        message: `the end of ${jobId} announced in the channel`,
      }).catch(w.explain(jobId));
      expect(botJob(w.botHome, jobId)?.status).toBe('completed');
      const events = botEvents(w.botHome, jobId);
      expect(events.map((e) => e.event)).toEqual([
        'started',
        'progress',
        'progress',
        'permission_required',
        'progress',
        'completed',
      ]);
      expect(events.every((e) => e.verified)).toBe(true);
      expect(isContiguous(events.map((e) => e.seq))).toBe(true);
      expect(announcements(w.slack, jobId)).toHaveLength(1);
    });
  });
}
