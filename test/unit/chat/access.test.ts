import { describe, expect, it } from 'vitest';
import { Access, type AccessPolicy, emptyPolicy, nobodyMayRegister } from '../../../src/chat/access.js';
import { systemClock } from '../../../src/clock.js';
import type { Job } from '../../../src/jobs/job.js';
import { memoryAudit } from '../../../src/relay/audit.js';

const access = (p: Partial<AccessPolicy>) => new Access({ ...emptyPolicy, ...p }, memoryAudit(), systemClock);
const u = (user: string, roles?: string[]) => ({ platform: 'slack', user, ...(roles ? { roles } : {}) });
const job = { id: 'j-1', owner: 'slack:UOWNER' } as Job;

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
});
