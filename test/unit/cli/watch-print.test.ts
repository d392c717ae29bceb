/**
 * `hermes watch` shows an agent's input as it was signed (issue 16): 2**64+1, 2**53+1, 1.0 and
 * NaN keep their lexemes in the text line and in --json, where a JavaScript number would not.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printEvent } from '../../../src/cli/commands/watch-print.js';
import { type JsonObject, parseLossless } from '../../../src/protocol/lossless-json.js';

const DATA =
  '{"request_id":"req_1","tool":"Bash","input":{"count":18446744073709551617,"near":9007199254740993,"ratio":1.0,"odd":NaN}}';
const SIGNED_INPUT = '{"count":18446744073709551617,"near":9007199254740993,"ratio":1.0,"odd":NaN}';

function printed(json: boolean): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  printEvent(out, json, {
    jobId: 'job_perm',
    seq: 4,
    event: 'permission_required',
    timestamp: '2026-12-01T10:00:00Z',
    detail: 'run it?',
    dataTree: parseLossless(DATA) as JsonObject,
    verified: true,
  });
  return text;
}

describe('hermes watch output', () => {
  it('the text line shows the tool and its input with the signed lexemes', () => {
    expect(printed(false)).toBe(
      `2026-12-01T10:00:00Z job_perm #4 permission_required: run it? [Bash ${SIGNED_INPUT}]\n`,
    );
  });

  it('--json carries the same lexemes in data', () => {
    const line = printed(true);
    expect(line).toContain(`"input":${SIGNED_INPUT}`);
    expect(line).not.toContain('18446744073709552000');
  });
});
