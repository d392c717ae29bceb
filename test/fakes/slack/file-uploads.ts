/**
 * Slack's file upload flow as the stand-in serves it (docs.slack.dev: files.getUploadURLExternal,
 * files.completeUploadExternal; the WebClient's filesUploadV2 runs all three steps):
 *
 * 1. `files.getUploadURLExternal` (filename, length) answers an `upload_url` on this server and a
 *    `file_id`;
 * 2. the bytes are POSTed to that URL, raw or as multipart form data (Slack takes both; the
 *    WebClient sends multipart); it answers HTTP 200 `OK - <bytes>`;
 * 3. `files.completeUploadExternal` (files: JSON `[{id, title}]`, channel_id, thread_ts,
 *    initial_comment) shares them.
 *
 * Slack's own checks that an adapter could get wrong are kept: a length that is not a positive
 * integer, an unknown file id, a thread_ts without channel_id. The stand-in also refuses to complete
 * a file whose bytes never arrived or differ from the announced length, with an error name of
 * its own (`fake_upload_incomplete`), not one Slack documents.
 */
import type { MethodHandler, MethodResult } from './web-api-methods.js';
import type { SlackWorkspace } from './workspace.js';

const fail = (error: string): MethodResult => ({ ok: false, error });

export const UPLOAD_PATH = /^\/upload\/v1\/(F[A-Z0-9]+)$/;

export function fileMethods(uploadUrl: (fileId: string) => string): Record<string, MethodHandler> {
  return {
    'files.getUploadURLExternal': (args, { workspace }) => {
      const length = Number(args.length);
      if (typeof args.filename !== 'string' || args.filename === '') return fail('invalid_arguments');
      if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
      const id = workspace.nextFileId();
      workspace.files.set(id, { id, filename: args.filename, length });
      return { ok: true, upload_url: uploadUrl(id), file_id: id };
    },

    'files.completeUploadExternal': (args, { workspace }) => {
      const list = Array.isArray(args.files)
        ? (args.files as Array<{ id?: unknown; title?: unknown }>)
        : undefined;
      if (!list || list.length === 0) return fail('invalid_arguments');
      const channel = typeof args.channel_id === 'string' ? args.channel_id : undefined;
      const thread = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
      if (thread !== undefined && channel === undefined) return fail('invalid_arguments');
      if (channel !== undefined && !workspace.channelExists(channel)) return fail('channel_not_found');
      const files = list.map((f) => (typeof f.id === 'string' ? workspace.files.get(f.id) : undefined));
      if (files.some((f) => f === undefined)) return fail('file_not_found');
      if (files.some((f) => f!.bytes === undefined || f!.bytes.length !== f!.length))
        return fail('fake_upload_incomplete');
      const comment = typeof args.initial_comment === 'string' ? args.initial_comment : undefined;
      files.forEach((f, i) => {
        const title = list[i]!.title;
        if (typeof title === 'string') f!.title = title;
        f!.shared = { channel, thread_ts: thread, initial_comment: comment };
      });
      return {
        ok: true,
        files: files.map((f) => ({
          id: f!.id,
          name: f!.filename,
          title: f!.title ?? f!.filename,
          size: f!.length,
        })),
      };
    },
  };
}

/** Step 2: the POST to an upload URL. Returns the HTTP status and text body Slack would send. */
export function receiveUpload(
  workspace: SlackWorkspace,
  fileId: string,
  body: { raw: Buffer; files: Array<{ bytes: Buffer }>; multipart: boolean },
): { status: number; text: string } {
  const file = workspace.files.get(fileId);
  if (file === undefined) return { status: 404, text: 'file not found' };
  const bytes = body.multipart ? body.files[0]?.bytes : body.raw;
  if (bytes === undefined) return { status: 400, text: 'no file in the form' };
  file.bytes = bytes;
  return { status: 200, text: `OK - ${bytes.length}` };
}
