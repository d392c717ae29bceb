/**
 * Discord wants a first answer to an interaction within 3 s (the stand-in enforces it with
 * `callbackDeadlineMs` on its own clock). Buttons and the reason form must be acknowledged even
 * when the core behind them is slow: Approve and a form submission at once (a silent deferred
 * update), Deny by its timer (`ackAfterMs`) when the core has not opened the form by then. The
 * core's answers still reach the person afterwards, privately, however late.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordApp } from '../../../adapters/discord/app.js';
import { CustomIds, memoryLongValues } from '../../../adapters/discord/custom-ids.js';
import { type Inbound, registerInbound } from '../../../adapters/discord/inbound.js';
import { DiscordChatPort } from '../../../adapters/discord/port.js';
import type { DiscordSettings } from '../../../adapters/discord/settings.js';
import { message, section, text } from '../../../src/chat/message.js';
import type { ActionInput, ChatInbound, MessageRef, ReasonInput } from '../../../src/chat/port.js';
import { silentLogger } from '../../../src/log.js';
import { DISCORD, type DiscordFake, MESSAGE_FLAGS, startDiscordFake } from '../../fakes/discord/index.js';
import { waitFor } from '../../helpers/wait.js';
import { APPROVER, callbackOf, webhookOf } from './support.js';

type Json = Record<string, unknown>;
const DEADLINE_MS = 3000;
const ACK_AFTER_MS = 200;

/** A core that takes as long as the test wants before it answers. */
class SlowCore implements ChatInbound {
  readonly started: string[] = [];
  private release: () => void = () => undefined;
  private readonly held = new Promise<void>((r) => {
    this.release = r;
  });

  finish(): void {
    this.release();
  }

  async handleCommand(): Promise<void> {}

  async handleThreadMessage(): Promise<void> {}

  async handleAction(input: ActionInput): Promise<void> {
    this.started.push(input.action);
    await this.held;
    if (input.action === 'deny' && input.openReasonPrompt) {
      await input.openReasonPrompt({
        title: 'Deny',
        label: 'Reason',
        submitLabel: 'Deny',
        maxLength: 500,
        token: 't',
      });
      return;
    }
    await input.reply(message('approved', section(text(`${input.action} recorded`))));
  }

  async handleReasonSubmitted(input: ReasonInput): Promise<void> {
    this.started.push('reason');
    await this.held;
    await input.reply(message('denied', section(text(`denied: ${input.reason}`))));
  }
}

let now = Date.now();
let fake: DiscordFake;
let core: SlowCore;
let stopAll: () => Promise<void>;
let ids: CustomIds;
let asked: MessageRef;

beforeEach(async () => {
  now = Date.now();
  core = new SlowCore();
  fake = await startDiscordFake({ now: () => now, callbackDeadlineMs: DEADLINE_MS });
  const settings: DiscordSettings = {
    token: 'fake-slow-ack-token',
    guildId: DISCORD.guildId,
    apiUrl: fake.apiUrl,
    allowEveryone: true,
    allowedUsers: [],
    allowedRoles: [],
    allowedChannels: [],
    approvers: [],
    approverRoles: [],
  };
  const app = await startDiscordApp({ settings, log: silentLogger });
  ids = new CustomIds(memoryLongValues());
  const inbound: Inbound = registerInbound(app.client, {
    core,
    ids,
    guildId: DISCORD.guildId,
    profiles: () => [],
    log: silentLogger,
    ackAfterMs: ACK_AFTER_MS,
  });
  const port = new DiscordChatPort({
    client: app.client,
    ids,
    log: silentLogger,
    whenConnected: (ms) => app.whenConnected(ms),
  });
  const { thread } = await port.postJobCard(
    DISCORD.channelId,
    message('Job j-slow (demo)', section(text('card'))),
  );
  const value = 'j-slow r-1';
  asked = await port.postInThread(thread, {
    summary: 'asks',
    blocks: [
      {
        kind: 'actions',
        buttons: [
          { action: 'approve', label: 'Approve', value },
          { action: 'deny', label: 'Deny', value },
        ],
      },
    ],
  });
  stopAll = async () => {
    core.finish();
    inbound.stop();
    await inbound.idle();
    await app.stop();
    await fake.close();
  };
});
afterEach(async () => {
  await stopAll();
});

function click(action: 'approve' | 'deny'): Json {
  const stored = fake.state.messages.get(asked.id)!;
  const customId = ((stored.components as Json[])[0]!.components as Json[])
    .map((b) => String(b.custom_id))
    .find((c) => ids.decode(c)?.kind === action)!;
  return fake.sendInteraction(fake.interactions.button({ customId, message: asked.id, user: APPROVER }));
}

/** The core's late answer, sent as a private follow-up once Discord's deadline has long passed. */
async function lateAnswer(interaction: Json): Promise<string> {
  now += 10 * DEADLINE_MS;
  core.finish();
  const followUp = await fake.waitForCall('POST', webhookOf(interaction), () => true, 10_000);
  expect(followUp.status).toBe(200);
  expect(((followUp.body as Json).flags as number) & MESSAGE_FLAGS.ephemeral).toBe(MESSAGE_FLAGS.ephemeral);
  return String((followUp.body as Json).content);
}

describe('Discord acknowledges slow clicks and forms in time', () => {
  it('Approve: a deferred update before the core has answered, its answer follows privately', async () => {
    const interaction = click('approve');
    const ack = await fake.waitForCall('POST', callbackOf(interaction));
    expect([ack.status, (ack.body as Json).type]).toEqual([204, 6]);
    await waitFor(() => core.started.includes('approve'), { timeoutMs: 5000, message: 'the core called' });
    expect(await lateAnswer(interaction)).toContain('approve recorded');
  });

  it('Deny: when the core has not opened the form by ackAfterMs, the timer acknowledges; then it says to click again', async () => {
    const interaction = click('deny');
    const ack = await fake.waitForCall('POST', callbackOf(interaction));
    expect([ack.status, (ack.body as Json).type]).toEqual([204, 6]);
    expect(core.started).toEqual(['deny']);
    // The core answers right after the timer's acknowledgement went out, maybe before it returned.
    expect(await lateAnswer(interaction)).toContain('took too long to open the form');
    // The form was never offered once the interaction had its answer (Discord would refuse it).
    const callbacks = fake.calls.filter((c) => callbackOf(interaction).test(c.path));
    expect(callbacks.map((c) => (c.body as Json).type)).toEqual([6]);
  });

  it('the reason form: its submission is acknowledged at once, the core answers later', async () => {
    const interaction = fake.sendInteraction(
      fake.interactions.modalSubmit({
        customId: ids.encode('reason', 'tok j-slow r-1'),
        fields: { reason: 'not now' },
        message: asked.id,
        user: APPROVER,
      }),
    );
    const ack = await fake.waitForCall('POST', callbackOf(interaction));
    expect([ack.status, (ack.body as Json).type]).toEqual([204, 6]);
    await waitFor(() => core.started.includes('reason'), { timeoutMs: 5000, message: 'the core called' });
    expect(await lateAnswer(interaction)).toContain('denied: not now');
  });
});
