import { describe, expect, it } from 'vitest';
import { reasonModal, toSlackMessage } from '../../../../adapters/slack/blocks.js';
import { clampMrkdwn, codeFence, escapeMrkdwn, spanToMrkdwn } from '../../../../adapters/slack/mrkdwn.js';
import { bold, code, codeBlock, message, section, text } from '../../../../src/chat/message.js';

describe('Slack mrkdwn', () => {
  it('escapes &, <, > so agent text never becomes a mention, a broadcast or a link', () => {
    expect(escapeMrkdwn('<!channel> <!here> <@U1> <#C1> <!subteam^S1> <https://x.y|z> a & b')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U1&gt; &lt;#C1&gt; &lt;!subteam^S1&gt; &lt;https://x.y|z&gt; a &amp; b',
    );
    expect(spanToMrkdwn(text('<!here>'))).toBe('&lt;!here&gt;');
  });

  it('renders only core-made spans as Slack tokens, and refuses odd ids and URLs', () => {
    expect(spanToMrkdwn({ kind: 'user', id: 'U0ALICE', notify: true })).toBe('<@U0ALICE>');
    expect(spanToMrkdwn({ kind: 'user', id: 'U1> <!channel' })).toBe('U1&gt; &lt;!channel');
    expect(spanToMrkdwn({ kind: 'user', id: 'U1> <!channel', notify: true })).toBe('U1&gt; &lt;!channel');
    expect(spanToMrkdwn({ kind: 'group', id: 'S0ONCALL', notify: true })).toBe('<!subteam^S0ONCALL>');
    expect(
      spanToMrkdwn({ kind: 'link', url: 'https://a.slack.com/archives/C1/p1', label: 'thread <x>' }),
    ).toBe('<https://a.slack.com/archives/C1/p1|thread &lt;x&gt;>');
    expect(spanToMrkdwn({ kind: 'link', url: 'javascript:alert(1)', label: 'x' })).toBe('x');
    expect(spanToMrkdwn({ kind: 'time', iso: '2026-06-21T10:00:00.000Z' })).toBe(
      '<!date^1782036000^{date_short_pretty} {time_secs}|2026-06-21 10:00:00 UTC>',
    );
  });

  it('names people and groups without a mention token unless the span is a deliberate ping', () => {
    // Slack has no allowed_mentions: a <@U…> or <!subteam^S…> token always notifies.
    expect(spanToMrkdwn({ kind: 'user', id: 'U0ALICE' })).toBe('@U0ALICE');
    expect(spanToMrkdwn({ kind: 'user', id: 'U0ALICE', notify: false })).toBe('@U0ALICE');
    expect(spanToMrkdwn({ kind: 'group', id: 'S0ONCALL' })).toBe('@S0ONCALL');
  });

  it('styles keep their marks against the text, and cannot be broken out of', () => {
    expect(spanToMrkdwn(bold('Prompt: '))).toBe('*Prompt:* ');
    expect(spanToMrkdwn(code('a`b'))).toBe('`aˋb`');
    expect(spanToMrkdwn(bold('a*b'))).toBe('*a∗b*');
  });

  it('cuts long mrkdwn without splitting an entity or a token', () => {
    expect(clampMrkdwn('abc &amp; def', 7)).toBe('abc …');
    expect(clampMrkdwn('abc <@U1> def', 8)).toBe('abc …');
    expect(clampMrkdwn('short', 10)).toBe('short');
  });

  it('code fences cannot be closed by their content', () => {
    const fence = codeFence('a ``` b <x>', 3000);
    expect(fence.startsWith('```\n')).toBe(true);
    expect(fence.endsWith('\n```')).toBe(true);
    expect(fence.slice(4, -4)).not.toContain('```');
    expect(fence).toContain('&lt;x&gt;');
    expect(codeFence('y'.repeat(10_000), 3000).length).toBeLessThanOrEqual(3000);
  });

  it('code fences cannot be closed by a backtick run of any length', () => {
    for (let n = 2; n <= 10; n++) {
      const run = '`'.repeat(n);
      for (const input of [run, `a${run}b`, `ls\n${run}\nx`, `${run}${run}`, `x\n${run}`]) {
        const fence = codeFence(input, 3000);
        const body = fence.slice(4, -4);
        expect(fence.startsWith('```\n') && fence.endsWith('\n```')).toBe(true);
        expect(body, `${n} backticks in ${JSON.stringify(input)}`).not.toMatch(/``/);
        // Only zero-width spaces were added: readers see the text as typed.
        expect(body.replaceAll('\u200b', '')).toBe(input);
      }
    }
    // Clamped, the cut cannot leave two backticks side by side either.
    for (const max of [20, 21, 22, 23])
      expect(codeFence('`'.repeat(100), max).slice(4, -4)).not.toMatch(/``/);
  });

  it('a tool input cannot end the code block of a permission request or peek and spoof a decision', () => {
    const spoof = 'ls\n`````\n*✅ Approved by @U0APPROVER*';
    for (const input of [spoof, JSON.stringify({ command: spoof }, null, 2)]) {
      const { blocks } = toSlackMessage(message('Permission request', codeBlock(input)));
      const { text: t } = (blocks[0] as { text: { text: string } }).text;
      expect(t.startsWith('```\n') && t.endsWith('\n```')).toBe(true);
      expect(t.slice(4, -4)).not.toMatch(/``/);
      // The only fence marks left are the block's own two.
      expect(t.match(/```/g)).toHaveLength(2);
    }
  });
});

describe('Block Kit', () => {
  it('maps every block kind within Slack limits, with verbatim text objects', () => {
    const m = message(
      'summary <!channel>',
      section(bold('Job'), text(' x'.repeat(4000))),
      { kind: 'fields', fields: [{ label: 'Profile', value: [code('demo')] }] },
      codeBlock('{"a":1}'),
      { kind: 'context', spans: [text('small')] },
      {
        kind: 'actions',
        buttons: [{ action: 'approve', label: 'A'.repeat(100), style: 'primary', value: 'j-1 r-1' }],
      },
    );
    const out = toSlackMessage(m);
    expect(out.text).toBe('summary &lt;!channel&gt;');
    expect(out.blocks.map((b) => b.type)).toEqual(['section', 'section', 'section', 'context', 'actions']);
    const first = out.blocks[0] as { text: { text: string; verbatim: boolean } };
    expect(first.text.text.length).toBeLessThanOrEqual(3000);
    expect(first.text.verbatim).toBe(true);
    expect(out.blocks[1]).toEqual({
      type: 'section',
      fields: [{ type: 'mrkdwn', text: '*Profile*\n`demo`', verbatim: true }],
    });
    const button = (
      out.blocks[4] as {
        elements: Array<{ action_id: string; text: { text: string }; value: string; style: string }>;
      }
    ).elements[0]!;
    expect(button).toMatchObject({ action_id: 'hermes:approve', value: 'j-1 r-1', style: 'primary' });
    expect([...button.text.text].length).toBeLessThanOrEqual(75);
  });

  it('the reason modal has one optional input and carries the metadata', () => {
    const view = reasonModal(
      { title: 'Deny the request (long title)', label: 'Reason', submitLabel: 'Deny', maxLength: 500 },
      '{"token":"t"}',
    );
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'hermes:reason',
      private_metadata: '{"token":"t"}',
    });
    expect([...view.title.text].length).toBeLessThanOrEqual(24);
    expect(view.blocks[0]).toMatchObject({
      type: 'input',
      block_id: 'reason',
      optional: true,
      element: { action_id: 'reason', max_length: 500 },
    });
  });
});
