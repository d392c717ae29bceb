/**
 * The console renderer: the core's spans and an agent's inline Markdown become ANSI on a terminal
 * and bare text elsewhere, with no marker left raw; control characters stay visible, never
 * obeyed; colour only on a TTY without NO_COLOR; an edit prints its first line and what changed.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toLines } from '../../../../adapters/console/blocks.js';
import { ConsoleChatPort, streamOutput } from '../../../../adapters/console/port.js';
import { ANSI, inlineMarkdown, PLAIN, styleFor } from '../../../../adapters/console/style.js';
import { bold, code, codeBlock, context, message, section, text } from '../../../../src/chat/message.js';

const BOLD = (s: string) => `\u001b[1m${s}\u001b[22m`;
const CODE = (s: string) => `\u001b[36m${s}\u001b[39m`;
const DIM = (s: string) => `\u001b[2m${s}\u001b[22m`;

describe('inline Markdown', () => {
  it('on a terminal: `code` in colour, **bold** bold, markers gone', () => {
    expect(inlineMarkdown(ANSI, 'run `npm test` **now**, please')).toBe(
      `run ${CODE('npm test')} ${BOLD('now')}, please`,
    );
  });

  it('elsewhere: the same words without markers or escapes', () => {
    expect(inlineMarkdown(PLAIN, 'run `npm test` **now**, please')).toBe('run npm test now, please');
  });

  it('nothing inside `code` is Markdown; unpaired markers and ** alone stay as typed', () => {
    expect(inlineMarkdown(PLAIN, 'a `**x**` b')).toBe('a **x** b');
    expect(inlineMarkdown(ANSI, 'a `**x**` b')).toBe(`a ${CODE('**x**')} b`);
    expect(inlineMarkdown(ANSI, 'one ` tick, 2 ** 3 and ** spaced **')).toBe(
      'one ` tick, 2 ** 3 and ** spaced **',
    );
  });
});

describe('blocks as lines', () => {
  const m = message(
    'j-abcd1: permission needed for Bash',
    section(bold('🔐 Permission needed: '), code('Bash')),
    section(text('Agent says: edit `README.md` **carefully**')),
    codeBlock('{"command":"echo `date` **x**"}'),
    context(text('Who may answer: '), bold('you'), text(' · soon')),
  );

  it('plain: no backticks or asterisks of Markdown, code blocks kept literally', () => {
    expect(toLines(m, PLAIN)).toEqual([
      '🔐 Permission needed: Bash',
      'Agent says: edit README.md carefully',
      '  | {"command":"echo `date` **x**"}',
      '  Who may answer: you · soon',
    ]);
  });

  it('ANSI: styles the spans; a bold span inside dim small print goes back to dim after it', () => {
    const [head, says, block, small] = toLines(m, ANSI);
    expect(head).toBe(`${BOLD('🔐 Permission needed: ')}${CODE('Bash')}`);
    expect(says).toBe(`Agent says: edit ${CODE('README.md')} ${BOLD('carefully')}`);
    expect(block).toBe(`  ${DIM('|')} {"command":"echo \`date\` **x**"}`);
    expect(small).toBe(`  ${DIM(`Who may answer: ${BOLD('you')}\u001b[2m · soon`)}`);
  });

  it('agent control characters are shown, in both styles, and never become escapes', () => {
    const evil = message('x', section(text('ok\u001b[2J`\u001b]0;t\u0007`')));
    expect(toLines(evil, PLAIN)).toEqual(['ok\\x1b[2J\\x1b]0;t\\x07']);
    const ansi = toLines(evil, ANSI)[0]!;
    expect(ansi).toBe(`ok\\x1b[2J${CODE('\\x1b]0;t\\x07')}`);
    // The only escapes are the two of the code colour.
    expect(ansi.match(/\u001b/g)).toHaveLength(2);
  });
});

describe('colour only where it belongs', () => {
  it('a TTY without NO_COLOR gets ANSI; NO_COLOR, TERM=dumb or a pipe get plain', () => {
    expect(styleFor({ isTTY: true }, {})).toBe(ANSI);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(PLAIN);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '' })).toBe(ANSI); // no-color.org: set and not empty
    expect(styleFor({ isTTY: true }, { TERM: 'dumb' })).toBe(PLAIN);
    expect(styleFor({ isTTY: false }, {})).toBe(PLAIN);
    expect(styleFor({}, {})).toBe(PLAIN);
  });
});

describe('the port prints in order and edits briefly', () => {
  function port() {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => {
      printed += c.toString('utf8');
    });
    return { port: new ConsoleChatPort(streamOutput(out, PLAIN), 'run1'), printed: () => printed };
  }

  it('thread lines in the order posted; an edit is its first line and the lines that changed', async () => {
    const { port: p, printed } = port();
    const card = message(
      'Job j-abcd1 (demo) starting',
      section(bold('Job j-abcd1'), text(' · starting')),
      { kind: 'fields', fields: [{ label: 'Profile', value: [code('demo')] }] },
      context(text('Updates follow in the thread.')),
    );
    const { card: ref, thread } = await p.postJobCard('console', card);
    await p.postInThread(thread, message('started', section(text('▶ Started'))));
    await p.edit(ref, {
      ...card,
      blocks: [section(bold('Job j-abcd1'), text(' · running')), ...card.blocks.slice(1)],
    });
    await p.postInThread(thread, message('req', section(text('🔐 Permission needed')), codeBlock('{}')));
    expect(printed().split('\n')).toEqual([
      '┌─ Job j-abcd1 · starting',
      '│ Profile: demo',
      '│   Updates follow in the thread.',
      '[j-abcd1] ▶ Started',
      '[j-abcd1] ↻ Job j-abcd1 · running',
      '[j-abcd1] 🔐 Permission needed',
      '[j-abcd1]   | {}',
      '',
    ]);
  });

  it('an edit of a message an earlier run printed is printed whole', async () => {
    const { port: p, printed } = port();
    await p.edit(
      { channel: 'console', id: 'j-abcd1:old.3' },
      message('s', section(text('a')), section(text('b'))),
    );
    expect(printed()).toBe('[j-abcd1] ↻ a\n[j-abcd1]   b\n');
  });
});
