/**
 * The trace of a tool call decided by static rules in the hook (no person asked): a `progress`
 * event whose `data.auto` names the decision and the rule, audited by the bot and counted in the
 * job's thread. One shape whoever builds it: the runner's local relay, from the hook's
 * `auto_decision` request (the usual path: the hook needs no token, no crypto and no seq of its
 * own), or the hook itself when it publishes without a runner.
 *
 * No zod here: the hook imports this on every tool call.
 */

export interface AutoDecision {
  /** The hook event that asked (`PreToolUse`, `PermissionRequest`). */
  hook: string;
  tool: string;
  decision: 'allow' | 'deny';
  /** The deciding rule(s), comma-separated, as written. */
  rule: string;
  /** Where the rule came from: hardline, bot, profile, granted. */
  origin: string;
  /** One line describing the call (`Read src/a.ts`). */
  summary: string;
}

/** Longest summary carried in `data.auto`; the detail line is cut at DETAIL_MAX. */
export const AUTO_SUMMARY_MAX = 300;
export const AUTO_DETAIL_MAX = 500;

/** The `progress` event's detail and data for one automatic decision. */
export function autoDecisionEvent(a: AutoDecision): { detail: string; data: Record<string, unknown> } {
  const verb = a.decision === 'allow' ? 'auto-allowed' : 'auto-denied';
  const summary = a.summary.slice(0, AUTO_SUMMARY_MAX);
  return {
    detail: `${verb} ${a.summary} (${a.rule}, ${a.origin})`.slice(0, AUTO_DETAIL_MAX),
    data: {
      hook: a.hook,
      tool: a.tool,
      auto: { decision: a.decision, tool: a.tool, rule: a.rule, origin: a.origin, summary },
    },
  };
}
