/** The runner's `followup` command: into the job's mailbox (resume), typed into the pane (keys), or refused. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followupJob } from '../../../../runner/daemon/followup-command.js';
import { takeFollowup } from '../../../../runner/followup-mailbox.js';
import type { Session } from '../../../../runner/session-record.js';
import { silentLogger } from '../../../../src/log.js';
import type { RunnerCommandEnvelope } from '../../../../src/protocol/schemas.js';
import { tempHome } from '../../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-followup-'));
});
afterEach(() => cleanup());

const cmd = (seq: number, data: Record<string, unknown>): RunnerCommandEnvelope =>
  ({
    schema_version: 1,
    job_id: 'j-1',
    runner_id: 'r',
    seq,
    event: 'followup',
    timestamp: '2026-06-21T10:00:00Z',
    data,
  }) as RunnerCommandEnvelope;

function deps(profile: string, followup: 'resume' | 'keys' | 'none', status: Session['status'] = 'running') {
  const typed: Array<[string, string]> = [];
  return {
    typed,
    d: {
      home,
      store: { getByJob: () => ({ name: 'hermes-j-1', jobId: 'j-1', profile, status }) as Session },
      profiles: { get: () => ({ followup }) as never },
      tmux: {
        sendText: async (name: string, text: string) => {
          typed.push([name, text]);
        },
      },
      log: silentLogger,
    },
  };
}

describe('followup command', () => {
  it('resume: replies and done go into the mailbox in command order', async () => {
    const { d } = deps('claude', 'resume');
    expect(await followupJob(cmd(12, { followup: 'done', by: 'slack:U2' }), d)).toMatchObject({
      status: 'done',
    });
    expect(
      await followupJob(cmd(11, { followup: 'reply', text: '$(rm -rf ~); "x"', by: 'slack:U1' }), d),
    ).toMatchObject({
      status: 'done',
    });
    expect(takeFollowup(home, 'j-1')).toEqual({ kind: 'reply', text: '$(rm -rf ~); "x"', by: 'slack:U1' });
    expect(takeFollowup(home, 'j-1')).toEqual({ kind: 'done', by: 'slack:U2' });
    expect(takeFollowup(home, 'j-1')).toBeUndefined();
  });

  it('keys: typed into the pane literally', async () => {
    const { d, typed } = deps('shell', 'keys');
    expect(await followupJob(cmd(1, { followup: 'reply', text: 'C-c; exit' }), d)).toMatchObject({
      status: 'done',
    });
    expect(typed).toEqual([['hermes-j-1', 'C-c; exit']]);
    expect(await followupJob(cmd(2, { followup: 'done' }), d)).toMatchObject({ status: 'rejected' });
  });

  it('refuses profiles without follow-ups, ended sessions and empty replies', async () => {
    expect(
      await followupJob(cmd(1, { followup: 'reply', text: 'hi' }), deps('demo', 'none').d),
    ).toMatchObject({
      status: 'rejected',
      reason: 'profile demo takes no follow-ups',
    });
    expect(
      await followupJob(cmd(2, { followup: 'reply', text: 'hi' }), deps('claude', 'resume', 'terminated').d),
    ).toMatchObject({ status: 'rejected', reason: "the job's session has ended (terminated)" });
    expect(
      await followupJob(cmd(3, { followup: 'reply', text: '  ' }), deps('claude', 'resume').d),
    ).toMatchObject({
      status: 'rejected',
    });
    expect(takeFollowup(home, 'j-1')).toBeUndefined();
  });
});
