/**
 * The ChatMessage model as Discord message bodies: escaping of agent text (no markup, mentions,
 * timestamps or masked links), deliberate pings only through allowed_mentions, code fences that
 * cannot be closed from inside, the 2000-character limit, buttons and their custom_ids.
 */
import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { CONTENT_MAX, reasonModal, renderMessage, threadName } from '../../../../adapters/discord/blocks.js';
import { CustomIds, memoryLongValues } from '../../../../adapters/discord/custom-ids.js';
import { escapeText } from '../../../../adapters/discord/markdown.js';
import {
  bold,
  code,
  codeBlock,
  context,
  message,
  section,
  text,
  time,
} from '../../../../src/chat/message.js';
import type { ChatMessage } from '../../../../src/chat/port.js';

const ids = () => new CustomIds(memoryLongValues());
const render = (m: ChatMessage) => renderMessage(m, ids());

describe('escaping agent text', () => {
  it.each([
    ['<@1180000000000000300> hi', '\\<\\@1180000000000000300> hi'],
    ['@everyone @here', '\\@everyone \\@here'],
    ['<t:1700000000:R>', '\\<t:1700000000:R>'],
    ['**bold** _it_ ~~x~~ ||spoiler||', '\\*\\*bold\\*\\* \\_it\\_ \\~\\~x\\~\\~ \\|\\|spoiler\\|\\|'],
    ['[click](https://evil.example)', '\\[click](https\\://evil.example)'],
    ['see http://x.example/a', 'see http\\://x.example/a'],
    // A scheme with no word boundary before it (a digit, `_`, another letter) is still linked by Discord.
    ['1https://evil.example', '1https\\://evil.example'],
    ['_https://evil.example', '\\_https\\://evil.example'],
    ['a_b_https://evil.example/x', 'a\\_b\\_https\\://evil.example/x'],
    ['xhttps://evil.example http://y.example', 'xhttps\\://evil.example http\\://y.example'],
    ['steam://run/1 and ://bare', 'steam\\://run/1 and \\://bare'],
    ['# Heading', '\\# Heading'],
    ['* item\n- item\n1. item', '\\* item\n\\- item\n1\\. item'],
    ['snake_case __init__', 'snake\\_case \\_\\_init\\_\\_'],
    ['-# tiny', '\\-# tiny'],
    ['> quote', '\\> quote'],
    ['back\\slash', 'back\\\\slash'],
  ])('%s', (raw, escaped) => {
    expect(escapeText(raw)).toBe(escaped);
  });

  it('leaves no `scheme://` Discord could auto-link, whatever comes before the scheme', () => {
    for (const prefix of ['', '1', '9', '_', '__', 'a', 'é', '-', '.', '\\', '`', '*', '~', '|']) {
      for (const scheme of ['http', 'https', 'HTTPS', 'steam']) {
        const out = escapeText(`see ${prefix}${scheme}://evil.example/path`);
        expect(out, `${prefix}${scheme}`).not.toMatch(/[^\\]:\/\//);
      }
    }
  });

  it('keeps agent text out of mentions and allowed_mentions', () => {
    const body = render(
      message('x', section(text('ping <@1180000000000000300> and <@&1180000000000000400> @everyone'))),
    );
    expect(body.content).not.toMatch(/(^|[^\\])<@/);
    expect(body.allowedMentions).toEqual({ parse: [], users: [], roles: [], repliedUser: false });
    expect(body.flags).toBe(MessageFlags.SuppressEmbeds);
  });
});

describe('spans and blocks', () => {
  it('renders users and roles as mentions that ping only with notify', () => {
    const body = render(
      message(
        'r',
        section(
          { kind: 'user', id: '1180000000000000300' },
          text(' '),
          { kind: 'user', id: '1180000000000000301', notify: true },
          text(' '),
          { kind: 'group', id: '1180000000000000400', notify: true },
        ),
      ),
    );
    expect(body.content).toBe('<@1180000000000000300> <@1180000000000000301> <@&1180000000000000400>');
    expect(body.allowedMentions).toMatchObject({
      parse: [],
      users: ['1180000000000000301'],
      roles: ['1180000000000000400'],
    });
  });

  it('shows an owner that is not a Discord id (cli:alice) as text', () => {
    expect(render(message('o', section({ kind: 'user', id: 'cli:alice' }))).content).toBe('cli:alice');
  });

  it('renders styles, times, links, fields and small print', () => {
    const body = render(
      message(
        's',
        section(
          bold('Job j-1'),
          text(' · '),
          code('npm `test`'),
          text(' at '),
          time('2026-06-21T10:00:00.000Z'),
        ),
        { kind: 'fields', fields: [{ label: 'Profile', value: [code('claude')] }] },
        section({ kind: 'link', url: 'https://discord.com/channels/1/2/3', label: 'open the thread' }),
        section({ kind: 'link', url: 'javascript:alert(1)', label: 'bad' }),
        context(text('Who may answer: '), { kind: 'user', id: '1180000000000000300' }),
      ),
    );
    expect(body.content.split('\n')).toEqual([
      `**Job j-1** · \`npm ˋtestˋ\` at <t:${Date.parse('2026-06-21T10:00:00.000Z') / 1000}:f>`,
      '**Profile:** `claude`',
      '[open the thread](<https://discord.com/channels/1/2/3>)',
      'bad (javascript:alert(1))',
      '-# Who may answer: <@1180000000000000300>',
    ]);
  });

  it('fences code so backticks inside cannot close it', () => {
    const body = render(message('c', codeBlock('a ``` <@1180000000000000300>\n```')));
    const inner = body.content.slice(4, -4);
    expect(body.content.startsWith('```\n') && body.content.endsWith('\n```')).toBe(true);
    expect(inner).not.toContain('```');
  });

  it('falls back to the escaped summary when there are no blocks', () => {
    expect(render(message('j-1 *done*')).content).toBe('j-1 \\*done\\*');
  });
});

describe('the 2000-character limit', () => {
  it('cuts the longest text until the content fits, saying how much was left out', () => {
    const body = render(
      message(
        'p',
        section(bold('🔐 Permission needed: '), code('Bash')),
        section(text('d'.repeat(2800))),
        codeBlock('x'.repeat(1500)),
      ),
    );
    expect(body.content.length).toBeLessThanOrEqual(CONTENT_MAX);
    expect(body.content).toContain('Permission needed');
    expect(body.content).toMatch(/more characters\)/);
    expect(body.content.endsWith('\n```')).toBe(true);
  });

  it('fits text that grows when escaped', () => {
    const body = render(message('e', section(text('*'.repeat(1900)))));
    expect(body.content.length).toBeLessThanOrEqual(CONTENT_MAX);
  });
});

describe('buttons', () => {
  const actions: ChatMessage = message('a', section(text('?')), {
    kind: 'actions',
    buttons: [
      { action: 'approve', label: 'Approve', style: 'primary', value: 'j-abc r-1' },
      { action: 'approve_job', label: 'Approve Bash for this job', value: 'j-abc r-1' },
      { action: 'deny', label: 'Deny', style: 'danger', value: 'j-abc r-1' },
    ],
  });

  it('become one action row with custom_ids that carry the value', () => {
    const rows = render(actions).components;
    expect(rows).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Success,
            label: 'Approve',
            custom_id: 'hermes:approve:j-abc r-1',
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: 'Approve Bash for this job',
            custom_id: 'hermes:approve_job:j-abc r-1',
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            label: 'Deny',
            custom_id: 'hermes:deny:j-abc r-1',
          },
        ],
      },
    ]);
  });

  it('an edit without actions sends an empty component list (removes the buttons)', () => {
    expect(render(message('done', section(text('Approved')))).components).toEqual([]);
  });
});

describe('custom_ids', () => {
  it('round-trip, and values too long for 100 characters go through the store', () => {
    const store = memoryLongValues();
    const c = new CustomIds(store);
    const long = `j-abc ${'r'.repeat(120)}`;
    const id = c.encode('approve_job', long);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(store.size()).toBe(1);
    expect(c.decode(id)).toEqual({ kind: 'approve_job', value: long });
    expect(c.decode(c.encode('deny', 'j-abc r-1'))).toEqual({ kind: 'deny', value: 'j-abc r-1' });
    // A fresh instance on the same store (a restart) still knows the long value.
    expect(new CustomIds(store).decode(id)).toEqual({ kind: 'approve_job', value: long });
  });

  it('refuse what Hermes did not make', () => {
    const c = ids();
    expect(c.decode('approve:j-abc r-1')).toBeUndefined();
    expect(c.decode('hermes:launch:j-abc')).toBeUndefined();
    expect(c.decode('hermes:approve#unknownhash')).toBeUndefined();
  });
});

describe('thread names and the reason modal', () => {
  it('names the thread after the job and profile', () => {
    expect(threadName(message('Job j-abc (claude) waiting for a runner'))).toBe('j-abc · claude');
    expect(threadName(message('x'.repeat(300))).length).toBeLessThanOrEqual(100);
  });

  it('builds a modal within Discord limits whose custom_id carries the token', () => {
    const c = ids();
    const modal = reasonModal(
      {
        title: 'Deny the request',
        label: 'Reason (optional; the agent receives it)',
        submitLabel: 'Deny',
        maxLength: 500,
        token: 'j-abc r-1',
      },
      c,
    );
    expect(c.decode(modal.custom_id)).toEqual({ kind: 'reason', value: 'j-abc r-1' });
    expect(modal.components[0]).toMatchObject({
      components: [
        {
          custom_id: 'reason',
          required: false,
          max_length: 500,
          label: 'Reason (optional; the agent receives it)',
        },
      ],
    });
  });
});
