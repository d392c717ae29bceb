/**
 * Which of the configured approver user groups a person is in (usergroups.users.list, scope
 * usergroups:read), cached for a minute. A lookup that fails counts as "not a member": an outage of
 * this lookup can refuse an approver, never admit a stranger.
 */
import type { webApi } from '@slack/bolt';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';

const TTL_MS = 60_000;

export class UserGroups {
  private readonly cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly groups: readonly string[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The configured groups `user` belongs to. */
  async of(user: string): Promise<string[]> {
    if (this.groups.length === 0) return [];
    const sets = await Promise.all(this.groups.map((g) => this.members(g)));
    return this.groups.filter((_, i) => sets[i]!.has(user));
  }

  private members(group: string): Promise<ReadonlySet<string>> {
    const now = this.clock.now();
    const hit = this.cache.get(group);
    if (hit && now - hit.at < TTL_MS) return hit.members;
    const members = this.client.usergroups.users
      .list({ usergroup: group })
      .then((r) => new Set(r.users ?? []) as ReadonlySet<string>)
      .catch((err: unknown) => {
        this.log.warn({ err, group }, 'cannot read Slack user group members; treating as empty');
        this.cache.delete(group);
        return new Set<string>() as ReadonlySet<string>;
      });
    this.cache.set(group, { at: now, members });
    return members;
  }
}
