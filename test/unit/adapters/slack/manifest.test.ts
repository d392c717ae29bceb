/** manifest.yml asks for exactly the bot scopes the adapter's Web API calls need. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Scope each Web API method needs (docs.slack.dev method pages); null: none. */
const SCOPE_OF: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  'views.open': null,
  'usergroups.users.list': 'usergroups:read',
  // filesUploadV2 calls files.getUploadURLExternal and files.completeUploadExternal: files:write.
  'files.uploadV2': 'files:write',
};

describe('manifest.yml', () => {
  const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8'));

  it('has /hermes, interactivity and Socket Mode', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/hermes']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('asks for the smallest set of scopes: the slash command plus what the adapter calls', () => {
    const dir = join(root, 'adapters', 'slack');
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const called = new Set([
      ...[...source.matchAll(/\.(auth|chat|views|usergroups\.users)\s*\.(\w+)\(/g)].map(
        (m) => `${m[1]}.${m[2]}`,
      ),
      ...(/\.filesUploadV2\(/.test(source) ? ['files.uploadV2'] : []),
    ]);
    for (const m of called) expect(Object.keys(SCOPE_OF), `unknown method ${m}`).toContain(m);
    // Thread replies (message.channels / message.groups events) need their channels' history.
    const events = source.includes("app.event('message'") ? ['channels:history', 'groups:history'] : [];
    expect(manifest.settings.event_subscriptions?.bot_events ?? []).toEqual(
      events.length ? ['message.channels', 'message.groups'] : [],
    );
    const needed = new Set([
      'commands',
      ...events,
      ...[...called].map((m) => SCOPE_OF[m]).filter((s): s is string => s !== null),
    ]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });
});
