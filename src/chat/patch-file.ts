/**
 * A worktree job's full patch as a file in its thread, after the change table, where the platform
 * takes files. Two limits cut it: the runner's message (relay.max_payload_bytes: the runner sends
 * the patch's beginning and its whole size) and the platform's file size (cut here, at a line's
 * end). What was cut, or left out, is said next to the file, never silently.
 */
import type { ChangeReport } from '../bot/runner-control.js';
import type { ChatDeps } from './deps.js';
import { message, section, text } from './message.js';
import type { ChatFile } from './port.js';

export const kb = (n: number): string =>
  n < 1024
    ? `${n} bytes`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / 1048576).toFixed(1)} MB`;

/** The patch's beginning, cut at a line's end, at most `max` bytes. */
function headBytes(patch: Buffer, max: number): Buffer {
  if (patch.length <= max) return patch;
  const cut = patch.lastIndexOf(0x0a, max - 1);
  return patch.subarray(0, cut > 0 ? cut + 1 : max);
}

/** The file to post, or the note to post instead when there is no patch to attach. */
export function patchFile(
  jobId: string,
  report: Pick<ChangeReport, 'patch' | 'patchBytes'>,
  maxFileBytes: number,
): { file: ChatFile } | { note: string } | undefined {
  const whole = report.patchBytes ?? Buffer.byteLength(report.patch ?? '');
  if (!report.patch) {
    if (whole === 0) return undefined;
    return {
      note: `The patch (${kb(whole)}) is too big for the runner's message (relay.max_payload_bytes), so it is not attached; the whole change is on the job's branch.`,
    };
  }
  const sent = Buffer.from(report.patch);
  const content = headBytes(sent, maxFileBytes);
  const why =
    content.length < sent.length
      ? 'more than this chat takes as a file'
      : sent.length < whole
        ? "more than fits the runner's message, relay.max_payload_bytes"
        : undefined;
  const comment = why
    ? `${jobId}: the first ${kb(content.length)} of the patch (${kb(whole)} in all, ${why}); the whole change is on the job's branch.`
    : `${jobId}: the full patch (${kb(whole)}).`;
  return { file: { name: `${jobId}.patch`, content, comment } };
}

/** Posts the patch of a change report into the job's thread, in the job's queue (after its table). */
export function postPatch(
  deps: ChatDeps,
  jobId: string,
  report: Pick<ChangeReport, 'patch' | 'patchBytes'>,
): Promise<void> {
  const { port } = deps;
  const files = port.attachments;
  if (!files) return Promise.resolve();
  return deps.queue.run(jobId, async () => {
    const thread = deps.state.thread(jobId);
    const what = patchFile(jobId, report, files.maxBytes);
    if (!what) return;
    if (!thread) {
      deps.log.warn({ job_id: jobId }, 'patch not posted: the job has no thread here');
      return;
    }
    deps.pacer.spend(thread.thread.channel);
    if ('file' in what) await files.attach(thread.thread, what.file);
    else await port.postInThread(thread.thread, message(what.note, section(text(what.note))));
  });
}
