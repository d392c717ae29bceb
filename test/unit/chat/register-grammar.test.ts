import { describe, expect, it } from 'vitest';
import { parseRegistration } from '../../../src/chat/commands/register-grammar.js';
import { tokenize } from '../../../src/chat/commands/tokenize.js';

const parse = (text: string) => parseRegistration({ args: tokenize(text), text });
const problem = (text: string): string => {
  try {
    parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`"${text}" parsed`);
};

describe('register grammar', () => {
  it('takes options before the profile, between profile and prompt, and as --name=value', () => {
    for (const text of [
      '--runner build-01 claude --cwd /srv/app fix the build',
      'claude --runner build-01 --cwd /srv/app fix the build',
      '--cwd=/srv/app --runner=build-01 claude fix the build',
      '--runner build-01 --cwd "/srv/app" claude "fix the build"',
    ]) {
      expect(parse(text), text).toEqual({
        profile: 'claude',
        runner: 'build-01',
        cwd: '/srv/app',
        prompt: 'fix the build',
      });
    }
  });

  it('takes the prompt verbatim from its first word: later dashes and quotes are the prompt', () => {
    expect(parse('demo --max-cost 2.5 fix it --runner x, "quoted" too')).toEqual({
      profile: 'demo',
      max_cost: 2.5,
      prompt: 'fix it --runner x, "quoted" too',
    });
    expect(parse('demo --repo web -- --verbose is a flag to add').prompt).toBe('--verbose is a flag to add');
    expect(parse('demo “tidy it”').prompt).toBe('tidy it');
  });

  it('says what to type when something is missing, without validator jargon', () => {
    expect(problem('')).toBe(
      'say which agent profile to run and what it should do, e.g. /hermes register demo tidy the README',
    );
    expect(problem('--runner build-01')).toMatch(/^say which agent profile to run/);
    expect(problem('demo')).toBe(
      'tell the demo agent what to do after the profile, e.g. /hermes register demo tidy the README',
    );
    expect(problem('demo --runner')).toBe(
      '--runner needs a value: the id of a paired runner, e.g. --runner build-01 (see /hermes runners)',
    );
    expect(problem('demo --runner --cwd /x fix')).toMatch(/^--runner needs a value/);
    expect(problem('demo --cwd= fix')).toMatch(/^--cwd needs a value: a folder on the runner/);
  });

  it('names the value that is wrong and what a right one looks like', () => {
    expect(problem('Demo! fix it')).toBe(
      '"Demo!" is not a profile name: profiles are lowercase words (a-z 0-9 _ -), such as demo or claude',
    );
    expect(problem('demo --max-cost lots fix it')).toBe(
      '--max-cost "lots" is not a number of US dollars, e.g. --max-cost 2.50',
    );
    expect(problem('demo --max-cost -1 fix it')).toBe('--max-cost "-1" must be more than 0 dollars');
    expect(problem('demo --runner "a b" fix')).toBe(
      '--runner "a b" is not a runner id: ids use only A-Z a-z 0-9 . _ : -',
    );
    expect(problem('demo --repo Web fix')).toMatch(/^--repo "Web" is not a repository name/);
    expect(problem(`demo ${'x'.repeat(4001)}`)).toBe('the prompt is longer than 4000 characters; shorten it');
    expect(problem('demo --runner a --runner b fix')).toBe('--runner is given twice; give it once');
  });

  it('suggests the option a typo was meant to be, and lists the options', () => {
    expect(problem('demo --runer build-01 fix')).toBe(
      'register has no option --runer; did you mean --runner? (options: --runner, --cwd, --max-cost, --repo)',
    );
    expect(problem('--gpu 2 demo fix')).toBe(
      'register has no option --gpu (options: --runner, --cwd, --max-cost, --repo)',
    );
  });

  it('never lets a validator message through', () => {
    for (const text of ['', 'demo', 'Demo! x', 'demo --max-cost x y', 'demo --runner', '--cwd']) {
      expect(problem(text)).not.toMatch(/Invalid input|expected string|received undefined/);
    }
  });
});
