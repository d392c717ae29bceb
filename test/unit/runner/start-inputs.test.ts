/** resolveCwd: the profile's and the runner's folders are trusted; a requested one is confined to runner.cwd_roots. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCwd } from '../../../runner/daemon/start-inputs.js';

let base: string;
let root: string;
let home: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'hermes-cwd-')));
  root = join(base, 'work');
  home = join(base, 'home');
  mkdirSync(join(root, 'repo', 'sub'), { recursive: true });
  mkdirSync(join(home, 'secret'), { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('resolveCwd', () => {
  it('without a request: the profile folder, else the default; ~ is the runner user home', () => {
    expect(resolveCwd(undefined, '/srv/p', root, home)).toBe('/srv/p');
    expect(resolveCwd(undefined, undefined, root, home)).toBe(root);
    expect(resolveCwd('', '~/secret', root, home)).toBe(join(home, 'secret'));
  });

  it('a requested folder is refused when the runner names no roots', () => {
    expect(() => resolveCwd(join(root, 'repo'), undefined, root, home)).toThrow(
      /lets no job choose its working directory/,
    );
  });

  it('a requested folder inside a root is used (absolute, relative to the default, or under ~)', () => {
    expect(resolveCwd(join(root, 'repo'), undefined, root, home, [root])).toBe(join(root, 'repo'));
    expect(resolveCwd('repo/sub', '/srv/p', root, home, [root])).toBe(join(root, 'repo', 'sub'));
    expect(resolveCwd(root, undefined, root, home, [root])).toBe(root);
    expect(resolveCwd('~/secret', undefined, root, home, ['~'])).toBe(join(home, 'secret'));
  });

  it('refuses folders outside every root: absolute, ~, .. and a symlink out', () => {
    const roots = [root];
    expect(() => resolveCwd(join(home, 'secret'), undefined, root, home, roots)).toThrow(
      /outside the folders/,
    );
    expect(() => resolveCwd('~', undefined, root, home, roots)).toThrow(/outside the folders/);
    expect(() => resolveCwd('repo/../../home', undefined, root, home, roots)).toThrow(/outside the folders/);
    symlinkSync(join(home, 'secret'), join(root, 'link-out'));
    expect(() => resolveCwd(join(root, 'link-out'), undefined, root, home, roots)).toThrow(
      /outside the folders/,
    );
    // A sibling whose name merely starts with the root's is outside too.
    mkdirSync(`${root}-evil`);
    expect(() => resolveCwd(`${root}-evil`, undefined, root, home, roots)).toThrow(/outside the folders/);
  });

  it('refuses a folder that does not exist, and creates nothing', () => {
    const missing = join(root, 'no', 'such', 'dir');
    expect(() => resolveCwd(missing, undefined, root, home, [root])).toThrow(/does not exist/);
    expect(existsSync(join(root, 'no'))).toBe(false);
  });

  it('refuses a folder anyone may write to (another local user could plant a task there)', () => {
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => resolveCwd(open, undefined, root, home, [root])).toThrow(/writable by everyone/);
  });
});
