import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../../../adapters/console/plugin.js';
import { permissionRequest } from '../../../../src/jobs/queries.js';
import { waitFor } from '../../../helpers/wait.js';
import { memoryBotContext } from '../../chat/harness.js';

let env: ReturnType<typeof memoryBotContext>;
let input: PassThrough;
let output: PassThrough;
let printed: string;
let stop: () => Promise<void>;
let quits = 0;

beforeEach(async () => {
  env = memoryBotContext();
  input = new PassThrough();
  output = new PassThrough();
  printed = '';
  output.on('data', (c: Buffer) => {
    printed += c.toString('utf8');
  });
  stop = await consolePlugin({ input, output, onQuit: () => quits++, tickMs: 50 })(env.ctx);
});
afterEach(async () => {
  await stop();
  env.close();
});

const type = (line: string) => input.write(`${line}\n`);
const until = (what: string | RegExp) =>
  waitFor(() => (typeof what === 'string' ? printed.includes(what) : what.test(printed)), {
    timeoutMs: 5000,
    message: `console shows ${what}`,
  });

async function registered(): Promise<string> {
  type('/hermes register demo "tidy the README"');
  await until('(you) Registered');
  return env.ctx.registry.list()[0]!.id;
}

describe('console adapter', () => {
  it('greets once with a hint and registers a job for the local person, printing its card', async () => {
    await until('Ready: type /hermes help');
    expect(printed.match(/\/hermes help/g)).toHaveLength(1);
    const id = await registered();
    expect(env.ctx.registry.require(id)).toMatchObject({
      owner: 'console:you',
      prompt: 'tidy the README',
      profile: 'demo',
    });
    expect(printed).toContain(`┌─ Job ${id} · starting`); // local is online
    expect(printed).toContain('│ Prompt: tidy the README');
  });

  it("prints each job's thread under its job id, with the same content as a Slack thread", async () => {
    const id = await registered();
    env.event(id, 'started', 'agent up');
    await until(`[${id}] ▶ Started: agent up`);
    env.event(id, 'progress', 'reading files');
    await until(`[${id}] ⏳ Working: reading files`);
    env.event(id, 'permission_required', 'run tests', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'npm test' },
    });
    // No raw Markdown: the tool's name is a code span, printed bare where there is no colour.
    await until(`[${id}] 🔐 Permission needed: Bash`);
    expect(printed).not.toContain('`Bash`');
    expect(printed).toContain(`[${id}]   |   "command": "npm test"`);
    expect(printed).toContain(
      `[${id}]   answer: /hermes approve ${id} r-1  or  /hermes approve ${id} r-1 --rule 'Bash(npm test:*)'  or  /hermes deny ${id} r-1 [reason]`,
    );
  });

  it('/hermes approve with no ids answers the only pending request; the message is shown again, decided', async () => {
    const id = await registered();
    env.event(id, 'permission_required', undefined, {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'npm test' },
    });
    await until('answer:');
    type('/hermes approve');
    await until(`[${id}] ↻ 🔐 Permission needed`);
    await until(`[${id}]   ✅ Approved by @you`);
    // The update is its first line and what changed: the tool input is not printed again.
    const update = printed.slice(printed.indexOf(`[${id}] ↻ 🔐`));
    expect(update.split('\n')[1]).toContain('✅ Approved by @you');
    expect(update).not.toContain(`[${id}]   |   "command"`);
    expect(permissionRequest(env.ctx.db, id, 'r-1')).toMatchObject({
      status: 'approved',
      decided_by: 'console:you',
    });
  });

  it('/hermes deny [reason] with several pending lists them; with ids it denies with the reason', async () => {
    const id = await registered();
    env.event(id, 'permission_required', undefined, { request_id: 'r-1', tool: 'Bash', input: {} });
    env.event(id, 'permission_required', undefined, { request_id: 'r-2', tool: 'Write', input: {} });
    await until(`/hermes deny ${id} r-2`);
    type('/hermes deny not now');
    await until('(you) 2 requests are waiting');
    expect(permissionRequest(env.ctx.db, id, 'r-1')!.status).toBe('pending');
    type(`/hermes deny ${id} r-2 not that file`);
    await until('⛔ Denied by @you');
    expect(permissionRequest(env.ctx.db, id, 'r-2')).toMatchObject({
      status: 'denied',
      reason: 'not that file',
    });
  });

  it('announces terminal events as the channel notification with the word completed or error', async () => {
    const a = await registered();
    env.event(a, 'completed', 'all done');
    await until(new RegExp(`📣 ✅ Job ${a} completed after \\d+s`));
    type('/hermes register demo second');
    await waitFor(() => env.ctx.registry.list().length === 2, { timeoutMs: 5000, message: 'second job' });
    const b = env.ctx.registry.list()[1]!.id;
    await until(`┌─ Job ${b}`);
    env.event(b, 'error', 'exit 2');
    await until(`📣 ❌ Job ${b} ended with an error`);
  });

  it('agent text cannot drive the terminal: control characters are shown, not obeyed', async () => {
    const id = await registered();
    env.event(id, 'started', 'ok\u001b[2J\u001b[H\rfake line\u0007');
    await until(`[${id}] ▶ Started: ok\\x1b[2J\\x1b[H\\x0dfake line\\x07`);
    expect(printed).not.toContain('\u001b');
  });

  it('bad input gets usage; quit asks the process to stop', async () => {
    type('/hermes frobnicate');
    await until('(you) ⚠ unknown command "frobnicate"');
    type('quit');
    await waitFor(() => quits === 1, { timeoutMs: 5000, message: 'quit' });
  });
});
