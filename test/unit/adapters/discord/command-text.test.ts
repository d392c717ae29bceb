import { describe, expect, it } from 'vitest';
import { commandText, word } from '../../../../adapters/discord/command-text.js';
import { parseRegistration } from '../../../../src/chat/commands/register.js';
import { parseScheduleAdd } from '../../../../src/chat/commands/schedule-parse.js';
import { tokenize } from '../../../../src/chat/commands/tokenize.js';
import { nodeCronPort } from '../../../../src/schedules/cron-port.js';

/** What the core's register handler makes of the text (the words after `register`). */
function parsed(text: string) {
  const rest = text.slice('register '.length);
  return parseRegistration({ args: tokenize(rest), text: rest });
}

describe('slash command options as the core command text', () => {
  it('register: profile, flags, then the prompt verbatim', () => {
    const t = commandText('register', {
      profile: 'claude',
      prompt: 'fix "the" build',
      runner: 'r1',
      cwd: '/src/my app',
    });
    expect(t).toBe('register claude --runner r1 --cwd "/src/my app" -- fix "the" build');
    expect(parsed(t)).toEqual({
      profile: 'claude',
      runner: 'r1',
      cwd: '/src/my app',
      prompt: 'fix "the" build',
    });
  });

  it('quotes with a quote character the value does not contain', () => {
    const t = commandText('register', { profile: 'claude', prompt: 'go', cwd: `/tmp/it's "here"` });
    expect(parsed(t).cwd).toBe(`/tmp/it's "here"`);
    expect(word('--runner')).toBe('"--runner"');
    expect(() => word(`"'“”‘’`)).toThrow(/every kind of quote/);
  });

  it('schedule: the cron always quoted, flags, the prompt last; the core parses it back', () => {
    const t = commandText(
      'schedule',
      { cron: '0 3 * * 1-5', profile: 'claude', prompt: 'bump deps', repo: 'app', overlap: 'queue' },
      'add',
    );
    expect(t).toBe('schedule add "0 3 * * 1-5" claude --repo app --overlap queue -- bump deps');
    const rest = t.slice('schedule '.length);
    expect(parseScheduleAdd(tokenize(rest).slice(1), rest, nodeCronPort.valid)).toEqual({
      cron: '0 3 * * 1-5',
      profile: 'claude',
      runner: 'local',
      repo: 'app',
      overlap: 'queue',
      prompt: 'bump deps',
    });
    expect(commandText('schedule', { all: true }, 'list')).toBe('schedule list all');
    expect(commandText('schedule', { id: 's-abc' }, 'remove')).toBe('schedule remove s-abc');
    expect(commandText('schedule', { id: 's-abc' }, 'pause')).toBe('schedule pause s-abc');
    expect(commandText('diff', { job: 'j-abc' })).toBe('diff j-abc');
    expect(commandText('register', { profile: 'claude', prompt: 'go', repo: 'app' })).toBe(
      'register claude --repo app -- go',
    );
  });

  it('a prompt that starts like an option stays the prompt (register and schedule add)', () => {
    const reg = commandText('register', { profile: 'claude', prompt: '--cwd /etc --max-cost 999 go' });
    expect(reg).toBe('register claude -- --cwd /etc --max-cost 999 go');
    expect(parsed(reg)).toEqual({ profile: 'claude', prompt: '--cwd /etc --max-cost 999 go' });
    const t = commandText(
      'schedule',
      { cron: '0 3 * * *', profile: 'claude', prompt: '--overlap allow --runner evil go' },
      'add',
    );
    expect(t).toBe('schedule add "0 3 * * *" claude -- --overlap allow --runner evil go');
    const rest = t.slice('schedule '.length);
    expect(parseScheduleAdd(tokenize(rest).slice(1), rest, nodeCronPort.valid)).toMatchObject({
      runner: 'local',
      overlap: 'skip',
      prompt: '--overlap allow --runner evil go',
    });
  });

  it('the other subcommands', () => {
    expect(commandText('list', {})).toBe('list');
    expect(commandText('list', { all: true })).toBe('list all');
    expect(commandText('status', { job: 'j-abc' })).toBe('status j-abc');
    expect(commandText('cancel', { job: 'j-abc' })).toBe('cancel j-abc');
    expect(commandText('peek', { job: 'j-abc', lines: 50 })).toBe('peek j-abc 50');
    expect(commandText('runners', {})).toBe('runners');
    expect(commandText('help', {})).toBe('help');
    expect(commandText('approve', {})).toBe('approve');
    expect(commandText('approve', { job: 'j-abc', request: 'r-1' })).toBe('approve j-abc r-1');
    expect(commandText('deny', { job: 'j-abc', reason: 'not now' })).toBe('deny j-abc not now');
    expect(() => commandText('deny', { request: 'r-1' })).toThrow(/job id together/);
  });
});
