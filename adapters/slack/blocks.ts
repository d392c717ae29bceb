/** The core's ChatMessage as Slack Block Kit: what a message, an edit or an ephemeral reply sends. */
import type { types } from '@slack/bolt';
import type { Block, Button, ChatMessage } from '../../src/chat/port.js';
import { clampMrkdwn, codeFence, escapeMrkdwn, spansToMrkdwn } from './mrkdwn.js';

/** Slack's documented limits (Block Kit reference). */
export const LIMITS = {
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElement: 2000,
  blocks: 50,
  buttonText: 75,
  fallbackText: 3000,
} as const;

/** Button action ids on the wire: the core's ActionId behind a prefix only Hermes uses. */
export const ACTION_PREFIX = 'hermes:';
export const REASON_CALLBACK_ID = 'hermes:reason';

type SlackBlock = Record<string, unknown>;

const mrkdwn = (text: string, max: number) => ({
  type: 'mrkdwn',
  text: clampMrkdwn(text, max) || ' ',
  verbatim: true,
});
const plain = (text: string, max: number) => ({
  type: 'plain_text' as const,
  text: [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text || ' ',
  emoji: true,
});

function button(b: Button): SlackBlock {
  return {
    type: 'button',
    action_id: `${ACTION_PREFIX}${b.action}`,
    text: plain(b.label, LIMITS.buttonText),
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
  };
}

function toSlack(b: Block): SlackBlock {
  switch (b.kind) {
    case 'section':
      return { type: 'section', text: mrkdwn(spansToMrkdwn(b.spans), LIMITS.sectionText) };
    case 'fields':
      return {
        type: 'section',
        fields: b.fields
          .slice(0, LIMITS.fields)
          .map((f) => mrkdwn(`*${escapeMrkdwn(f.label)}*\n${spansToMrkdwn(f.value)}`, LIMITS.fieldText)),
      };
    case 'code':
      return {
        type: 'section',
        text: { type: 'mrkdwn', text: codeFence(b.text, LIMITS.sectionText), verbatim: true },
      };
    case 'context':
      return { type: 'context', elements: [mrkdwn(spansToMrkdwn(b.spans), LIMITS.contextElement)] };
    case 'actions':
      return { type: 'actions', elements: b.buttons.map(button) };
  }
}

/** `text` (notification / fallback, escaped) and `blocks` for chat.postMessage / chat.update. */
export function toSlackMessage(m: ChatMessage): { text: string; blocks: SlackBlock[] } {
  return {
    text: clampMrkdwn(escapeMrkdwn(m.summary), LIMITS.fallbackText) || ' ',
    blocks: m.blocks.slice(0, LIMITS.blocks).map(toSlack),
  };
}

/** The reason modal (views.open). private_metadata carries the core's token and where to answer. */
export function reasonModal(
  prompt: { title: string; label: string; submitLabel: string; placeholder?: string; maxLength: number },
  privateMetadata: string,
): types.ModalView {
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK_ID,
    private_metadata: privateMetadata,
    title: plain(prompt.title, 24),
    submit: plain(prompt.submitLabel, 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: plain(prompt.label, 2000),
        element: {
          type: 'plain_text_input',
          action_id: 'reason',
          multiline: true,
          max_length: prompt.maxLength,
          ...(prompt.placeholder ? { placeholder: plain(prompt.placeholder, 150) } : {}),
        },
      },
    ],
  };
}
