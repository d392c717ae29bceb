import { describe, expect, it } from 'vitest';
import {
  escapeTmuxArg,
  escapeTmuxFormat,
  isValidSessionName,
  sessionNameFor,
} from '../../../runner/session-names.js';
import { lastLines, paneExited, parsePaneState, parseSessionList } from '../../../runner/tmux-output.js';

describe('sessionNameFor', () => {
  it('keeps plain job ids readable', () => {
    expect(sessionNameFor('j-abc123')).toBe('hermes-j-abc123');
  });

  it('encodes the characters tmux would change, one to one', () => {
    expect(sessionNameFor('a.b:c_d')).toBe('hermes-a_2eb_3ac_5fd');
    expect(sessionNameFor('a_b')).not.toBe(sessionNameFor('a.b'));
    expect(isValidSessionName(sessionNameFor(`x${'.'.repeat(127)}`))).toBe(true);
  });

  it('refuses what is not a job id', () => {
    expect(() => sessionNameFor('../x')).toThrow(/not a valid job id/);
    expect(() => sessionNameFor('')).toThrow(/not a valid job id/);
  });
});

describe('tmux argument escaping', () => {
  it('escapes only a trailing semicolon', () => {
    expect(escapeTmuxArg('a;b')).toBe('a;b');
    expect(escapeTmuxArg(';')).toBe('\\;');
    expect(escapeTmuxArg('x\\;')).toBe('x\\\\;');
    expect(escapeTmuxFormat('/w/#{x}')).toBe('/w/##{x}');
  });
});

describe('parsing tmux output', () => {
  it('reads list-sessions lines, names with spaces included', () => {
    const out = '1700000000 42 0   hermes-j-1\n1700000001 43 1 3  my session\n1700000002 44 1  9 k\n';
    expect(parseSessionList(out)).toEqual([
      {
        name: 'hermes-j-1',
        createdAt: 1_700_000_000_000,
        panePid: 42,
        paneDead: false,
        paneDeadStatus: undefined,
        paneDeadSignal: undefined,
      },
      {
        name: 'my session',
        createdAt: 1_700_000_001_000,
        panePid: 43,
        paneDead: true,
        paneDeadStatus: 3,
        paneDeadSignal: undefined,
      },
      {
        name: 'k',
        createdAt: 1_700_000_002_000,
        panePid: 44,
        paneDead: true,
        paneDeadStatus: undefined,
        paneDeadSignal: 9,
      },
    ]);
    expect(parseSessionList('')).toEqual([]);
    expect(() => parseSessionList('garbage\n')).toThrow(/unexpected tmux list-sessions line/);
  });

  it('reads a pane state', () => {
    expect(parsePaneState('42 0   claude code\n')).toEqual({
      pid: 42,
      dead: false,
      deadStatus: undefined,
      deadSignal: undefined,
      currentCommand: 'claude code',
    });
  });

  it('keeps the last lines of a dead pane next to its "Pane is dead" line', () => {
    const captured = `a\nb\n${'\n'.repeat(40)}Pane is dead (status 3, Tue)\n\n`;
    expect(lastLines(captured, 2)).toBe('b\nPane is dead (status 3, Tue)');
    expect(lastLines('x\ny\nz\n\n\n', 2)).toBe('y\nz');
  });
});

describe('paneExited', () => {
  const alive = () => true;
  const gone = () => false;
  it('needs a dead pane and a status, a signal, or a vanished pid', () => {
    expect(paneExited({ dead: false, status: undefined, signal: undefined, pid: 1 }, gone)).toBe(false);
    expect(paneExited({ dead: true, status: 0, signal: undefined, pid: 1 }, alive)).toBe(true);
    expect(paneExited({ dead: true, status: undefined, signal: 15, pid: 1 }, alive)).toBe(true);
    // terminal closed, process not reaped yet (or still running): not exited
    expect(paneExited({ dead: true, status: undefined, signal: undefined, pid: 1 }, alive)).toBe(false);
    expect(paneExited({ dead: true, status: undefined, signal: undefined, pid: 1 }, gone)).toBe(true);
  });
});
