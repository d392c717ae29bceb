/** `hermes policy check` from a home's config: the answer, the deciding rule, the proposal; bad rules named. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHermes, tempHome } from '../../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-policy-check-'));
  mkdirSync(join(home, 'work', 'src'), { recursive: true });
});
afterEach(() => cleanup());

const config = (yaml: string) => writeFileSync(join(home, 'config.yaml'), yaml);
const check = (...args: string[]) =>
  runHermes(['policy', 'check', '--cwd', join(home, 'work'), ...args], {
    env: { HERMES_HOME: home, HOME: home },
  });

describe('hermes policy check', () => {
  it('reports allow / deny / ask with the rule that decided, and what chat would offer', async () => {
    config('approvals:\n  deny: ["Bash(git push:*)"]\n');
    const allow = await check(
      '--tool',
      'Read',
      '--input',
      JSON.stringify({ file_path: join(home, 'work', 'src', 'a.ts') }),
    );
    expect(allow.stdout).toBe('allow: allow rule Read(./**) (profile)\n');
    const deny = await check('--tool', 'Bash', '--input', '{"command":"git status && git push"}', '--json');
    expect(JSON.parse(deny.stdout)).toMatchObject({
      decision: 'deny',
      rules: [{ name: 'Bash(git push:*)', origin: 'bot', kind: 'deny' }],
    });
    const ask = await check('--tool', 'Bash', '--input', '{"command":"npm test -- --run x"}');
    expect(ask.stdout).toBe(
      'ask: no rule allows "npm test -- --run x"\nchat would offer: Approve Bash(npm test:*) for this job\n',
    );
  });

  it("uses a configured profile's own policy", async () => {
    config(
      'runner:\n  profiles:\n    ci:\n      argv: ["sh", "-c", "true"]\n      hooks: claude\n      policy:\n        allow: ["Bash(npm test:*)"]\n        ask: ["Bash(npm test -- --update:*)"]\n',
    );
    const allow = await check('--profile', 'ci', '--tool', 'Bash', '--input', '{"command":"npm test"}');
    expect(allow.stdout).toMatch(/^allow: allowed by Bash\(npm test:\*\) \(profile\)/);
    const ask = await check(
      '--profile',
      'ci',
      '--tool',
      'Bash',
      '--input',
      '{"command":"npm test -- --update x"}',
    );
    expect(ask.stdout).toMatch(/^ask: ask rule Bash\(npm test -- --update:\*\) \(profile\)/);
    const read = await check('--profile', 'ci', '--tool', 'Read', '--input', '{"file_path":"src/a.ts"}');
    expect(read.stdout).toMatch(/^ask: no rule decides Read/);
  });

  it('a bad rule in the config is an error naming the key and the rule', async () => {
    config('approvals:\n  allow: ["Bash(npm:* x)"]\n');
    const r = await check('--tool', 'Bash', '--input', '{"command":"npm test"}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/approvals\.allow\.0/);
    expect(r.stderr).toMatch(/Bash\(npm:\* x\)/);
  });

  it('an unknown hardline name to remove is refused at load', async () => {
    config('runner:\n  hardline_remove: ["rm-everything"]\n');
    const r = await check('--tool', 'Bash', '--input', '{"command":"ls"}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/runner\.hardline_remove\.0.*not a hardline deny/);
  });

  it('bad input is a usage error', async () => {
    const r = await check('--tool', 'Bash', '--input', '[1]');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input must be a JSON object/);
  });
});
