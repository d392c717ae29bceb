/**
 * Automatic decisions in the job's status message: counted per tool ("auto-allowed 41 calls: Read
 * 30, Grep 11"), and each recent auto-deny on its own line with the rule that denied it.
 */
import type { AutoTally } from '../../jobs/auto-decisions.js';
import { bold, code, context, excerpt, section, text } from '../message.js';
import type { Block } from '../port.js';

const TOOLS_SHOWN = 6;
/** Denies listed one by one; older ones are only counted. */
export const DENIES_SHOWN = 5;

function perTool(counts: Array<[string, number]>): string {
  const shown = counts.slice(0, TOOLS_SHOWN).map(([tool, n]) => `${excerpt(tool, 40)} ${n}`);
  const rest = counts.slice(TOOLS_SHOWN).reduce((a, [, n]) => a + n, 0);
  return [...shown, ...(rest > 0 ? [`other ${rest}`] : [])].join(', ');
}

const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;

export function autoDecisionBlocks(t: AutoTally | undefined, jobId: string): Block[] {
  if (!t || (t.allowed === 0 && t.denied === 0)) return [];
  const blocks: Block[] = [];
  if (t.allowed > 0)
    blocks.push(section(bold(`🤖 Auto-allowed ${calls(t.allowed)}`), text(`: ${perTool(t.allowedByTool)}`)));
  if (t.denied > 0) {
    blocks.push(section(bold(`⛔ Auto-denied ${calls(t.denied)}`), text(`: ${perTool(t.deniedByTool)}`)));
    for (const d of t.recentDenies.slice(0, DENIES_SHOWN)) {
      blocks.push(
        context(
          text(`⛔ ${excerpt(d.tool, 40)} `),
          code(excerpt(d.summary, 160)),
          text(' denied by '),
          code(excerpt(d.rule, 160)),
          text(` (${excerpt(d.origin, 20)})`),
        ),
      );
    }
    const hidden = t.denied - Math.min(t.recentDenies.length, DENIES_SHOWN);
    if (hidden > 0)
      blocks.push(
        context(text(`${hidden} earlier auto-denied; /hermes rules ${jobId} counts them per rule`)),
      );
  }
  return blocks;
}
