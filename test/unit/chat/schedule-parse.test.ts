import { describe, expect, it } from 'vitest';
import { parseScheduleAdd } from '../../../src/chat/commands/schedule-parse.js';
import { tokenize } from '../../../src/chat/commands/tokenize.js';
import { isHermesError } from '../../../src/errors.js';
import { nodeCronPort } from '../../../src/schedules/cron-port.js';

/** The words after `schedule add`, as the command handler hands them over. */
const parse = (afterSchedule: string) => {
  const args = tokenize(afterSchedule);
  return parseScheduleAdd(args.slice(1), afterSchedule, nodeCronPort.valid);
};
const problem = (s: string) => {
  try {
    parse(s);
  } catch (e) {
    if (isHermesError(e, 'usage')) return e.message;
    throw e;
  }
  throw new Error(`parsed: ${s}`);
};

describe('/hermes schedule add grammar', () => {
  it('takes a quoted cron, a profile, flags, and the rest verbatim as the prompt', () => {
    expect(
      parse('add "0 3 * * 1-5" claude --runner r1 --repo app --overlap queue bump deps, don\'t break'),
    ).toEqual({
      cron: '0 3 * * 1-5',
      profile: 'claude',
      runner: 'r1',
      repo: 'app',
      overlap: 'queue',
      prompt: "bump deps, don't break",
    });
  });

  it('defaults to runner local and overlap skip; typographic quotes (Slack) group the cron too', () => {
    expect(parse('add “*/15 * * * *” demo --overlap=allow tidy')).toEqual({
      cron: '*/15 * * * *',
      profile: 'demo',
      runner: 'local',
      overlap: 'allow',
      prompt: 'tidy',
    });
    expect(parse("add '0 3 * * *' demo hunt flaky tests")).toMatchObject({
      runner: 'local',
      overlap: 'skip',
    });
  });

  it('refuses a forgotten quote, a bad expression, an unknown option, a bad overlap, no prompt', () => {
    expect(problem('add 0 3 * * * demo x')).toMatch(/put the cron expression in quotes/);
    expect(problem('add "61 * * * *" demo x')).toMatch(/is not a cron expression/);
    expect(problem('add "0 3 * * *" demo --cwd /tmp x')).toBe('unknown option --cwd');
    expect(problem('add "0 3 * * *" demo --overlap sometimes x')).toBe('--overlap is skip, queue or allow');
    expect(problem('add "0 3 * * *" demo')).toBe('give a prompt');
    expect(problem('add "0 3 * * *" Demo! x')).toMatch(/profile must be a lowercase word/);
    expect(problem('add "0 3 * * *" demo --runner')).toBe('--runner needs a value');
    expect(problem('add "0 3 * * *" demo --overlap skip --overlap allow x')).toBe(
      '--overlap is given twice; give it once',
    );
    expect(problem('add "0 3 * * *" demo --runner=a --runner b x')).toBe(
      '--runner is given twice; give it once',
    );
    expect(problem('add "0 3 * * *" demo --')).toBe('give a prompt');
  });

  it('`--` ends the options: the rest is the prompt even when it starts like one', () => {
    expect(parse('add "0 3 * * *" demo --repo app -- --overlap allow  --cwd /x go')).toEqual({
      cron: '0 3 * * *',
      profile: 'demo',
      runner: 'local',
      repo: 'app',
      overlap: 'skip',
      prompt: '--overlap allow  --cwd /x go',
    });
  });
});
