/** A worktree job's change (runner/worktrees/change-summary.ts's table) as a thread message. */
import type { ChangeReport } from '../../bot/runner-control.js';
import { bold, codeBlock, message, section, text, truncate } from '../message.js';
import type { ChatMessage, Span } from '../port.js';

export function changeMessage(
  jobId: string,
  title: string,
  report: Pick<ChangeReport, 'text' | 'link'>,
  maxChars: number,
): ChatMessage {
  const spans: Span[] = [bold(title)];
  if (report.link) spans.push(text(' · '), { kind: 'link', url: report.link, label: 'compare' });
  return message(
    `${jobId}: ${title.toLowerCase()}`,
    section(...spans),
    codeBlock(truncate(report.text || '(no change)', maxChars)),
  );
}
