/**
 * The core's ChatMessage as a Discord message body: markdown content (at most 2000 characters), buttons as
 * action rows, and allowed_mentions naming exactly the `notify: true` people and roles, so agent
 * text pings nobody. Link previews are suppressed (agent text cannot make Discord fetch a URL).
 *
 * @example
 * const body = renderMessage(msg, ids);
 * await channel.send(body);
 */
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIModalInteractionResponseCallbackData,
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
} from 'discord.js';
import { excerpt } from '../../src/chat/message.js';
import type { Block, Button, ChatMessage, ReasonPrompt } from '../../src/chat/port.js';
import type { CustomIds } from './custom-ids.js';
import { fitBlocks } from './fit.js';
import { escapeText, notified, renderBlock } from './markdown.js';

export const CONTENT_MAX = 2000;
const BUTTON_LABEL_MAX = 80;
const BUTTONS_PER_ROW = 5;

export interface DiscordAllowedMentions {
  parse: [];
  users: string[];
  roles: string[];
  repliedUser: false;
}

export interface DiscordMessageBody {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowedMentions: DiscordAllowedMentions;
  flags: MessageFlags.SuppressEmbeds;
}

const renderBlocks = (blocks: readonly Block[]): string =>
  blocks
    .map(renderBlock)
    .filter((s) => s.length > 0)
    .join('\n');

function content(m: ChatMessage): string {
  const fitted = fitBlocks(m.blocks, CONTENT_MAX, renderBlocks);
  const text = fitted ? renderBlocks(fitted) : '';
  // Nothing to show in blocks (or nothing that fits): the plain summary, escaped.
  return text.trim().length > 0 ? text : escapeText(excerpt(m.summary || '…', CONTENT_MAX / 2));
}

const STYLES: Record<NonNullable<Button['style']> | 'default', ButtonStyle> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

function components(m: ChatMessage, ids: CustomIds): DiscordMessageBody['components'] {
  const buttons = m.blocks
    .flatMap((b) => (b.kind === 'actions' ? b.buttons : []))
    .map(
      (b): APIButtonComponentWithCustomId => ({
        type: ComponentType.Button,
        style: STYLES[b.style ?? 'default'] as APIButtonComponentWithCustomId['style'],
        label: excerpt(b.label, BUTTON_LABEL_MAX),
        custom_id: ids.encode(b.action, b.value),
      }),
    );
  const rows: DiscordMessageBody['components'] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

/** The body for send() and edit(): `components: []` on an edit removes old buttons. */
export function renderMessage(m: ChatMessage, ids: CustomIds): DiscordMessageBody {
  const { users, roles } = notified(m.blocks);
  return {
    content: content(m),
    components: components(m, ids),
    allowedMentions: { parse: [], users, roles, repliedUser: false },
    flags: MessageFlags.SuppressEmbeds,
  };
}

/** A short name for a job's thread, from the card's summary (`Job j-abc (claude) …` -> `j-abc · claude`). */
export function threadName(card: ChatMessage): string {
  const m = /^Job (\S+) \(([^)]{1,60})\)/.exec(card.summary);
  const name = m ? `${m[1]} · ${m[2]}` : excerpt(card.summary, 90);
  return name.length > 0 ? name.slice(0, 100) : 'hermes job';
}

/** The text input of the reason modal. */
export const REASON_INPUT_ID = 'reason';

/** Discord's modal limits: title and label 45 characters, placeholder 100, value 4000. */
export function reasonModal(prompt: ReasonPrompt, ids: CustomIds): APIModalInteractionResponseCallbackData {
  return {
    custom_id: ids.encode('reason', prompt.token),
    title: excerpt(prompt.title, 45),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: REASON_INPUT_ID,
            style: TextInputStyle.Paragraph,
            label: excerpt(prompt.label, 45),
            required: false,
            max_length: Math.min(4000, Math.max(1, prompt.maxLength)),
            ...(prompt.placeholder ? { placeholder: excerpt(prompt.placeholder, 100) } : {}),
          },
        ],
      },
    ],
  };
}
