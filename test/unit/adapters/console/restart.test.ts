/**
 * The console adapter across a `hermes up` restart: the chat core's message ids survive in SQLite
 * while the console's memory does not. Lines owed from before are printed under the right job and
 * progress edits of a status message printed by the earlier run keep working.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../../../adapters/console/plugin.js';
import { ConsoleChatPort } from '../../../../adapters/console/port.js';
import { message, section, text } from '../../../../src/chat/message.js';
import { waitFor } from '../../../helpers/wait.js';
import { memoryBotContext } from '../../chat/harness.js';

let env: ReturnType<typeof memoryBotContext>;
let printed: string;
let stop: (() => Promise<void>) | undefined;

async function startConsole(): Promise<PassThrough> {
  const input = new PassThrough();
  const output = new PassThrough();
  output.on('data', (c: Buffer) => {
    printed += c.toString('utf8');
  });
  stop = await consolePlugin({
    input,
    output,
    tickMs: 50,
    chatSettings: { progressIntervalMs: 0, retryAfterMs: 0 },
  })(env.ctx);
  return input;
}

const until = (what: string) =>
  waitFor(() => printed.includes(what), { timeoutMs: 5000, message: `console shows ${what}` });

beforeEach(() => {
  env = memoryBotContext();
  printed = '';
});
afterEach(async () => {
  await stop?.();
  env.close();
});

describe('console adapter after a restart', () => {
  it('labels owed lines with their job and prints progress edits of the earlier run’s status message', async () => {
    const input = await startConsole();
    input.write('/hermes register demo "tidy the README"\n');
    await until('(you) Registered');
    const id = env.ctx.registry.list()[0]!.id;
    env.event(id, 'progress', 'step 1');
    await until(`[${id}] ⏳ Working: step 1`);

    await stop!();
    stop = undefined;
    // While the console is down: a permission request is owed to it.
    env.event(id, 'permission_required', undefined, { request_id: 'r-1', tool: 'Bash', input: {} });
    printed = '';
    await startConsole();
    await until(`[${id}] 🔐 Permission needed`);

    // The status message was printed by the earlier run: its edit is printed as an update.
    env.event(id, 'progress', 'step 2');
    await until(`[${id}] ↻ ⏳ Working: step 2`);
    env.event(id, 'completed', 'done');
    await until(`[${id}] ✅ Completed: done`);
    expect(printed).not.toMatch(/\[#/);
  });

  it('ids differ from run to run, and an edit of an unknown message is printed, not thrown', async () => {
    const out = new PassThrough();
    let shown = '';
    out.on('data', (c: Buffer) => {
      shown += c.toString('utf8');
    });
    const first = new ConsoleChatPort(out, 'run1');
    const second = new ConsoleChatPort(out, 'run2');
    const card = message('Job j-abcd1234 (demo) running', section(text('card')));
    const a = await first.postJobCard('console', card);
    const b = await second.postJobCard('console', card);
    expect(a.card.id).not.toBe(b.card.id);
    const status = await first.postInThread(a.thread, message('s', section(text('working'))));
    await expect(second.edit(status, message('s', section(text('still working'))))).resolves.toBeUndefined();
    expect(shown).toContain('[j-abcd1234] ↻ still working');
    await second.edit({ channel: 'console', id: '7' }, message('x', section(text('an old announcement'))));
    expect(shown).toContain('[channel] ↻ an old announcement');
  });
});
