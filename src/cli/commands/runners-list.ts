/** `hermes runners list [--json]`: paired runners and their last reported state. */
import { RunnersStore } from '../../bot/runners-store.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('runners list', ctx.args, { json: { type: 'boolean' } });
  return withRegistry(ctx, (_registry, db) => {
    const list = new RunnersStore(db, ctx.clock).list();
    if (values.json)
      writeJson(
        ctx.stdout,
        list.map((r) => ({ id: r.id, state: r.state, profiles: r.profiles, last_seen: r.lastSeen })),
      );
    else if (list.length === 0)
      writeLine(ctx.stdout, 'no runners paired (run `hermes runner init --id R` on the runner host)');
    else
      for (const r of list)
        writeLine(
          ctx.stdout,
          `${r.id.padEnd(16)} ${r.state.padEnd(8)} profiles: ${r.profiles.join(', ') || '-'}  last seen: ${r.lastSeen ?? 'never'}`,
        );
    return 0;
  });
}
