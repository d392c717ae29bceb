/**
 * The ChatPort contract, written once and run against every chat platform (memory, Slack, console;
 * Discord next). A driver gives the suite the adapter's port, a way to read a posted message back
 * as a reader sees it, and (where the platform has them) a person's commands and clicks going
 * through the adapter's inbound side into a recording core.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeBlock, context, message, section, text } from '../../src/chat/message.js';
import type {
  ActionId,
  ActionInput,
  ChatInbound,
  ChatMessage,
  ChatPort,
  CommandInput,
  MessageRef,
  ReasonInput,
  ThreadMessageInput,
  ThreadRef,
} from '../../src/chat/port.js';

export interface RenderedMessage {
  /** What a reader sees, markup resolved (`&lt;` shown as `<`, a user token as `@U…`). */
  text: string;
  /** Buttons shown, by action. */
  buttons: ActionId[];
  /** Whom the platform would notify: user / group ids, or `channel`, `here`, `everyone`. */
  pings: string[];
  /** URLs shown as links. */
  links: string[];
  /** The thread the message is in; undefined for a channel message. */
  thread: ThreadRef | undefined;
}

export interface InboundDriver {
  command(user: string, text: string): Promise<void>;
  click(ref: MessageRef, action: ActionId, user: string): Promise<void>;
  /** Submits the reason prompt most recently opened for `user`. */
  submitReason(user: string, reason: string): Promise<void>;
  /** Texts `user` received privately so far. */
  privateTo(user: string): Promise<string[]>;
}

export interface ChatPortDriver {
  port: ChatPort;
  channel: string;
  /** The platform can notify people (the console cannot). */
  canPing: boolean;
  /** The platform has buttons and modals (the console has neither). */
  hasButtons: boolean;
  /** Two user ids valid on the platform. */
  users: [string, string];
  read(ref: MessageRef): Promise<RenderedMessage>;
  inbound: InboundDriver | undefined;
  close(): Promise<void>;
}

/** A core that records what the adapter hands it and answers in a fixed way. */
export class RecordingInbound implements ChatInbound {
  readonly commands: CommandInput[] = [];
  readonly actions: ActionInput[] = [];
  readonly reasons: ReasonInput[] = [];
  readonly threadMessages: ThreadMessageInput[] = [];
  private readonly waiters: Array<() => void> = [];

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `cond` holds (checked after every recorded call). */
  async until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > timeoutMs) throw new Error('the adapter did not call the core in time');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async handleThreadMessage(input: ThreadMessageInput): Promise<void> {
    this.threadMessages.push(input);
    this.wake();
  }

  async handleCommand(input: CommandInput): Promise<void> {
    this.commands.push(input);
    await input.reply(message(`pong: ${input.text}`, section(text(`pong: ${input.text}`))));
    this.wake();
  }

  async handleAction(input: ActionInput): Promise<void> {
    if (input.action === 'deny' && input.openReasonPrompt) {
      await input.openReasonPrompt({
        title: 'Deny',
        label: 'Reason',
        submitLabel: 'Deny',
        maxLength: 500,
        token: `tok ${input.value}`,
      });
    }
    // Recorded once the prompt is open, so a test that waits for it can submit at once.
    this.actions.push(input);
    this.wake();
  }

  async handleReasonSubmitted(input: ReasonInput): Promise<void> {
    this.reasons.push(input);
    await input.reply(message('noted', section(text('noted'))));
    this.wake();
  }
}

export type DriverFactory = (core: RecordingInbound) => Promise<ChatPortDriver>;

const HOSTILE =
  '<!channel> <!here> <!everyone> @everyone @here <@U0BOSS01> <#C0GENERAL> <!subteam^S0ALL> <https://evil.example|click> https://evil.example & done';

const card = (label: string): ChatMessage =>
  message(`Job j-contract${label} card`, section(text(`Job j-contract${label}`, 'bold'), text(' · card')));

const withButtons = (value: string): ChatMessage =>
  message('asks', section(text('Permission needed')), {
    kind: 'actions',
    buttons: [
      { action: 'approve', label: 'Approve', style: 'primary', value },
      { action: 'approve_job', label: 'Approve for this job', value },
      { action: 'deny', label: 'Deny', style: 'danger', value },
    ],
  });

export function chatPortContract(name: string, factory: DriverFactory): void {
  describe(`ChatPort contract: ${name}`, () => {
    let core: RecordingInbound;
    let d: ChatPortDriver;
    beforeEach(async () => {
      core = new RecordingInbound();
      d = await factory(core);
    });
    afterEach(async () => {
      await d.close();
    });

    it('a job card is a channel message that opens a thread; thread posts land in it', async () => {
      const { card: ref, thread } = await d.port.postJobCard(d.channel, card('a'));
      const shown = await d.read(ref);
      expect(shown.text).toContain('Job j-contracta');
      expect(shown.thread).toBeUndefined();
      const post = await d.port.postInThread(thread, message('first', section(text('first in thread'))));
      const inThread = await d.read(post);
      expect(inThread.text).toContain('first in thread');
      expect(inThread.thread).toEqual(thread);
      const other = await d.port.postJobCard(d.channel, card('b'));
      expect(other.thread).not.toEqual(thread);
    });

    it('announce posts in the channel, outside every thread', async () => {
      await d.port.postJobCard(d.channel, card('c'));
      const ref = await d.port.announce(
        d.channel,
        message('Job j-x completed', section(text('Job j-x completed after 3s'))),
      );
      const shown = await d.read(ref);
      expect(shown.text).toContain('completed after 3s');
      expect(shown.thread).toBeUndefined();
    });

    it('edit replaces the content in place; an edit without actions removes the buttons', async () => {
      const { thread } = await d.port.postJobCard(d.channel, card('d'));
      const ref = await d.port.postInThread(thread, withButtons('j-1 r-1'));
      const before = await d.read(ref);
      if (d.hasButtons) expect(before.buttons).toEqual(['approve', 'approve_job', 'deny']);
      await d.port.edit(ref, message('decided', section(text('Approved by someone'))));
      const after = await d.read(ref);
      expect(after.text).toContain('Approved by someone');
      expect(after.text).not.toContain('Permission needed');
      expect(after.buttons).toEqual([]);
      expect(after.thread).toEqual(thread);
    });

    it('text is literal: hostile agent text pings nobody and links nothing', async () => {
      const { thread } = await d.port.postJobCard(d.channel, card('e'));
      const ref = await d.port.postInThread(
        thread,
        message(
          HOSTILE,
          section(text(HOSTILE)),
          section(text(HOSTILE, 'bold')),
          codeBlock(`${HOSTILE}\n\`\`\` out`),
          context(text(HOSTILE, 'code')),
        ),
      );
      const shown = await d.read(ref);
      expect(shown.pings).toEqual([]);
      expect(shown.links).toEqual([]);
      expect(shown.text).toContain('<!channel>');
      expect(shown.text).toContain('<@U0BOSS01>');
    });

    it('only the core-made notify spans ping, and no broadcast ever does', async () => {
      const [u1, u2] = d.users;
      const { thread } = await d.port.postJobCard(d.channel, card('f'));
      const ref = await d.port.postInThread(
        thread,
        message(
          'Reminder',
          section(text('Still waiting: '), { kind: 'user', id: u1, notify: true }, text(' '), {
            kind: 'user',
            id: u2,
          }),
        ),
      );
      const shown = await d.read(ref);
      if (d.canPing) expect(shown.pings).toContain(u1);
      else expect(shown.pings).toEqual([]);
      // A person the core only names (owner, who may answer, who decided) is shown, never pinged.
      expect(shown.pings).not.toContain(u2);
      for (const broadcast of ['channel', 'here', 'everyone']) expect(shown.pings).not.toContain(broadcast);
      expect(shown.text).toContain(u2);
    });

    it('long content is cut to what the platform accepts instead of failing', async () => {
      const { thread } = await d.port.postJobCard(d.channel, card('g'));
      const long = 'z'.repeat(20_000);
      const ref = await d.port.postInThread(thread, message(long, section(text(long)), codeBlock(long)));
      const shown = await d.read(ref);
      expect(shown.text).toContain('zzzz');
      await d.port.edit(ref, message(long, section(text(long, 'bold'))));
    });

    it('linkTo gives a URL or nothing', async () => {
      const { card: ref } = await d.port.postJobCard(d.channel, card('h'));
      const url = await d.port.linkTo(ref);
      if (url !== undefined) expect(url).toMatch(/^[a-z]+:\/\//);
    });

    it('inbound: a command reaches the core once, as the platform person in the channel; the reply is private', async () => {
      if (!d.inbound) return;
      const [u1, u2] = d.users;
      await d.inbound.command(u1, 'status j-1');
      await core.until(() => core.commands.length === 1);
      const [c] = core.commands;
      expect(c).toMatchObject({ actor: { platform: d.port.platform, user: u1 }, text: 'status j-1' });
      expect(c!.channel).toBeTruthy();
      await expect
        .poll(() => d.inbound!.privateTo(u1))
        .toEqual(expect.arrayContaining([expect.stringContaining('pong: status j-1')]));
      expect((await d.inbound.privateTo(u2)).join('\n')).not.toContain('pong');
    });

    it('inbound: buttons come back with their action and value; Deny can open the reason prompt', async () => {
      if (!d.inbound || !d.hasButtons) return;
      const [u1] = d.users;
      const { thread } = await d.port.postJobCard(d.channel, card('i'));
      const ref = await d.port.postInThread(thread, withButtons('j-2 r-9'));
      await d.inbound.click(ref, 'approve_job', u1);
      await core.until(() => core.actions.length === 1);
      expect(core.actions[0]).toMatchObject({
        action: 'approve_job',
        value: 'j-2 r-9',
        actor: { platform: d.port.platform, user: u1 },
      });
      await d.inbound.click(ref, 'deny', u1);
      await core.until(() => core.actions.length === 2);
      expect(core.actions[1]!.openReasonPrompt).toBeTypeOf('function');
      await d.inbound.submitReason(u1, 'because');
      await core.until(() => core.reasons.length === 1);
      expect(core.reasons[0]).toMatchObject({ token: 'tok j-2 r-9', reason: 'because', actor: { user: u1 } });
      await expect
        .poll(() => d.inbound!.privateTo(u1))
        .toEqual(expect.arrayContaining([expect.stringContaining('noted')]));
    });
  });
}
