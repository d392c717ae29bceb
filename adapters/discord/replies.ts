/**
 * Private answers to one interaction. Discord takes exactly one first answer within 3 s, so the
 * router acknowledges first (a deferred ephemeral reply for commands, a silent deferred update for
 * buttons and modal submissions) and the core's `reply()` calls become, in order, the edit of the
 * deferred reply and ephemeral follow-ups. Replies are serialised so they keep their order.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { ChatMessage } from '../../src/chat/port.js';
import { renderMessage } from './blocks.js';
import type { CustomIds } from './custom-ids.js';

export type Repliable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/** How the interaction was (or will be) acknowledged. */
export type AckKind = 'deferred-reply' | 'deferred-update' | 'modal' | 'none';

export class InteractionReplies {
  private ack: AckKind = 'none';
  private originalEdited = false;
  private count = 0;
  private chain: Promise<void> = Promise.resolve();
  /**
   * The acknowledgement under way. A reply must wait for it: discord.js refuses a follow-up until
   * the deferral's request has returned, and Deny's timer can acknowledge just before the core
   * answers.
   */
  private acking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly interaction: Repliable,
    private readonly ids: CustomIds,
  ) {}

  /** Whether Discord has had its first answer (a later showModal would be refused). */
  get acknowledged(): boolean {
    return this.ack !== 'none';
  }

  /** How many private replies were sent. */
  get replies(): number {
    return this.count;
  }

  /** "Thinking…", visible only to the person: commands, and modal submissions without a message. */
  async deferReply(): Promise<void> {
    if (this.acknowledged) return;
    this.ack = 'deferred-reply';
    this.acking = this.interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await this.acking;
  }

  /** A silent acknowledgement of a button or modal on a message; the message is edited by the core. */
  async deferUpdate(): Promise<void> {
    if (this.acknowledged) return;
    const i = this.interaction;
    if (i.isChatInputCommand()) return this.deferReply();
    this.ack = 'deferred-update';
    this.acking = i.deferUpdate();
    await this.acking;
  }

  /** Marks the interaction as answered by a modal (showModal was its first answer). */
  answeredWithModal(): void {
    this.ack = 'modal';
  }

  /** The core's private reply to the person. */
  reply(message: ChatMessage): Promise<void> {
    const next = this.chain.then(() => this.send(message));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Ends a deferred reply the core left unanswered (a decision by text, which edits the request message). */
  async finish(text = 'Done.'): Promise<void> {
    await this.chain;
    if (this.ack === 'deferred-reply' && !this.originalEdited) {
      await this.send({ summary: text, blocks: [{ kind: 'section', spans: [{ kind: 'text', text }] }] });
    }
  }

  private async send(message: ChatMessage): Promise<void> {
    await this.acking;
    const body = renderMessage(message, this.ids);
    const i = this.interaction;
    this.count++;
    if (this.ack === 'none') {
      this.ack = 'deferred-reply';
      this.originalEdited = true;
      await i.reply({ ...body, flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds });
      return;
    }
    if (this.ack === 'deferred-reply' && !this.originalEdited) {
      this.originalEdited = true;
      // The deferred reply is already ephemeral; an edit may not change that flag.
      const { flags: _flags, ...edit } = body;
      await i.editReply(edit);
      return;
    }
    await i.followUp({ ...body, flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds });
  }
}
