import { describe, expect, it } from 'vitest';
import {
  Access,
  type AccessPolicy,
  channelOn,
  emptyPolicy,
  nobodyMayRegister,
} from '../../../src/chat/access.js';
import { systemClock } from '../../../src/clock.js';
import type { Job } from '../../../src/jobs/job.js';
import { memoryAudit } from '../../../src/relay/audit.js';

/** Slack's policy; jobs from outside chat go to C1 (a default channel is set). */
const scope = (defaultChannel: string | undefined) => ({
  platform: 'slack',
  channelOf: (j: Job) => channelOn('slack', j, undefined, defaultChannel),
});
const access = (p: Partial<AccessPolicy>, defaultChannel = 'C1') =>
  new Access({ ...emptyPolicy, ...p }, memoryAudit(), systemClock, scope(defaultChannel));
const u = (user: string, roles?: string[]) => ({ platform: 'slack', user, ...(roles ? { roles } : {}) });
const at = (platform: string, channel: string) => ({ platform, channel, thread: null });
const job = { id: 'j-1', owner: 'slack:UOWNER', chat: at('slack', 'C1') } as Job;

describe('access policy', () => {
  it('fails closed: with nothing configured nobody registers or approves, unless allow_everyone', () => {
    expect(nobodyMayRegister(emptyPolicy)).toBe(true);
    const closed = access({});
    expect(closed.mayRegister(u('U1'), 'C1')).toBe(false);
    expect(closed.mayAct(u('U1'), job)).toBe(false);
    expect(closed.mayAct(u('UOWNER'), job)).toBe(true);
    const open = access({ allowEveryone: true });
    expect(nobodyMayRegister({ ...emptyPolicy, allowEveryone: true })).toBe(false);
    expect(open.mayRegister(u('U1'), 'C1')).toBe(true);
    expect(open.mayAct(u('U1'), job)).toBe(true);
  });

  it('allow_everyone does not widen lists that are set', () => {
    const a = access({ allowEveryone: true, registerUsers: ['U1'], approvers: ['U2'] });
    expect(a.mayRegister(u('U3'), 'C1')).toBe(false);
    expect(a.mayAct(u('U3'), job)).toBe(false);
    expect(a.mayAct(u('U2'), job)).toBe(true);
  });

  it('users and channels both restrict when both are set; either alone is enough when only it is set', () => {
    const both = access({ registerUsers: ['U1'], registerChannels: ['C1'] });
    expect(both.mayRegister(u('U1'), 'C1')).toBe(true);
    expect(both.mayRegister(u('U1'), 'C2')).toBe(false);
    expect(both.mayRegister(u('U2'), 'C1')).toBe(false);
    expect(access({ registerChannels: ['C1'] }).mayRegister(u('U9'), 'C1')).toBe(true);
    expect(access({ registerUsers: ['U9'] }).mayRegister(u('U9'), 'C7')).toBe(true);
    expect(access({ registerRoles: ['R1'] }).mayRegister(u('U9', ['R1']), 'C7')).toBe(true);
  });

  it('approvers by id or by role; viewing for registrants and approvers', () => {
    const a = access({ approvers: ['U2'], approverRoles: ['S1'], registerChannels: ['C1'] });
    expect(a.mayAct(u('U2'), job)).toBe(true);
    expect(a.mayAct(u('U3', ['S1']), job)).toBe(true);
    expect(a.mayAct(u('U3', ['S2']), job)).toBe(false);
    expect(a.mayView(u('U3'), 'C1')).toBe(true);
    expect(a.mayView(u('U3'), 'C2')).toBe(false);
    expect(a.mayView(u('U2'), 'C2')).toBe(true);
  });

  it("only this platform's jobs: a Discord job is nobody's business on Slack, whatever the policy", () => {
    const open = access({ allowEveryone: true, approvers: ['U2'] });
    const discordJob = { id: 'j-2', owner: 'discord:UOWNER', chat: at('discord', 'C1') } as Job;
    expect(open.channelOf(discordJob)).toBeUndefined();
    expect(open.mayAct(u('U2'), discordJob)).toBe(false);
    expect(open.mayViewJob(u('U2'), discordJob, 'C1')).toBe(false);
    expect(open.elsewhere(discordJob)).toContain('belongs to discord');
    // and a Discord actor gets nothing from Slack's policy
    const discordActor = { platform: 'discord', user: 'U2' };
    expect(open.isApprover(discordActor)).toBe(false);
    expect(open.mayRegister(discordActor, 'C1')).toBe(false);
    expect(open.mayAct(discordActor, job)).toBe(false);
  });

  it('a job from the CLI is served (and acted on) only where a default channel is set', () => {
    const cli = { id: 'j-3', owner: 'cli:ops', chat: null } as Job;
    expect(access({ approvers: ['U2'] }, 'C9').channelOf(cli)).toBe('C9');
    expect(access({ approvers: ['U2'] }, 'C9').mayAct(u('U2'), cli)).toBe(true);
    expect(channelOn('slack', cli, 'C7', 'C9')).toBe('C7');
    const none = new Access(
      { ...emptyPolicy, approvers: ['U2'] },
      memoryAudit(),
      systemClock,
      scope(undefined),
    );
    expect(none.channelOf(cli)).toBeUndefined();
    expect(none.mayAct(u('U2'), cli)).toBe(false);
    expect(none.elsewhere(cli)).toContain('no default channel');
  });

  it("status: the owner and approvers anywhere; others only from the job's own channel, with rights there", () => {
    const a = access({ registerChannels: ['CPUBLIC', 'CSECRET'], approvers: ['U2'] });
    const secret = { id: 'j-4', owner: 'slack:UOWNER', chat: at('slack', 'CSECRET') } as Job;
    expect(a.mayViewJob(u('U9'), secret, 'CSECRET')).toBe(true);
    // allowed in #secret is not being there: asked from #public it is refused
    expect(a.mayViewJob(u('U9'), secret, 'CPUBLIC')).toBe(false);
    const onlyPublic = access({ registerChannels: ['CPUBLIC'], approvers: ['U2'] });
    expect(onlyPublic.mayViewJob(u('U9'), secret, 'CSECRET')).toBe(false);
    expect(onlyPublic.mayViewJob(u('UOWNER'), secret, 'CPUBLIC')).toBe(true);
    expect(onlyPublic.mayViewJob(u('U2'), secret, 'CPUBLIC')).toBe(true);
  });
});
