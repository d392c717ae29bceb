/** `runners`: the known runners, their state and profiles, privately. */
import { bold, code, message, section, text, time } from '../message.js';
import { refuse } from './replies.js';
import type { CommandHandler } from './types.js';

export const runners: CommandHandler = {
  name: 'runners',
  usage: 'runners',
  summary: 'which runners are online and which profiles they offer',
  async run(ctx) {
    const { deps, input } = ctx;
    if (!deps.access.mayView(input.actor, input.channel)) {
      await refuse(ctx, 'view', 'you may not see runners here');
      return;
    }
    const all = deps.runners.list();
    const lines = all.map((r) =>
      section(
        code(r.id),
        text(` ${r.state} · profiles: ${r.profiles.length ? r.profiles.join(', ') : '(not reported)'}`),
        ...(r.lastSeen ? [text(' · last seen '), time(r.lastSeen)] : []),
      ),
    );
    await input.reply(
      message(
        `${all.length} runners`,
        section(bold('Runners'), text(` (${all.length})`)),
        ...(lines.length
          ? lines
          : [section(text('No runner is paired with this bot yet (hermes runners add).'))]),
      ),
    );
  },
};
