import { describe, expect, it } from 'vitest';
import { compareLink } from '../../../../runner/worktrees/compare-link.js';

describe('compareLink', () => {
  it('builds GitHub and GitLab compare pages from ssh and https remotes, without credentials', () => {
    expect(compareLink('git@github.com:acme/app.git', 'main', 'hermes/j-1')).toBe(
      'https://github.com/acme/app/compare/main...hermes/j-1',
    );
    expect(compareLink('https://user:tok3n@github.com/acme/app', 'main', 'hermes/j-1')).toBe(
      'https://github.com/acme/app/compare/main...hermes/j-1',
    );
    expect(compareLink('ssh://git@gitlab.example.com:2222/group/sub/app.git', 'dev', 'hermes/j-2')).toBe(
      'https://gitlab.example.com/group/sub/app/-/compare/dev...hermes/j-2',
    );
  });

  it('no link for other hosts or local paths', () => {
    expect(compareLink('/srv/git/app.git', 'main', 'hermes/j-1')).toBeUndefined();
    expect(compareLink('https://git.example.com/app.git', 'main', 'hermes/j-1')).toBeUndefined();
  });
});
