import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Session } from '../../../runner/session-record.js';
import { mirrorPath, renderSessionsYaml, YamlMirror } from '../../../runner/yaml-mirror.js';
import { isHermesError } from '../../../src/errors.js';

const T0 = Date.parse('2026-06-21T10:00:00.000Z');
const REPO = join(import.meta.dirname, '..', '..', '..');

function session(i: number, note: string): Session {
  return {
    name: `hermes-j-${i}`,
    jobId: `j-${i}`,
    profile: 'claude',
    status: i % 3 === 0 ? 'terminated' : 'running',
    createdAt: '2026-06-21T09:00:00.000Z',
    startedAt: '2026-06-21T09:00:01.000Z',
    endedAt: null,
    stoppedAt: null,
    terminatedAt: i % 3 === 0 ? '2026-06-21T09:30:00.000Z' : null,
    archivedAt: null,
    exitStatus: i % 3 === 0 ? 0 : null,
    lastEvent: 'progress',
    lastEventAt: '2026-06-21T09:10:00.000Z',
    cwd: `/work/repo with spaces: "${i}"`,
    panePid: 1000 + i,
    note,
    vanishDetail: null,
    vanishReportedAt: null,
  };
}

/**
 * Polls the file as fast as it can and checks every read: valid YAML, and
 * internally consistent (all sessions from the same write, as many as that
 * write had). Prints a JSON summary when the stop file appears.
 */
const READER = `
import { readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';
const [file, stop] = process.argv.slice(1);
let reads = 0; const seen = new Set(); const errors = [];
process.stdout.write('ready\\n');
while (!existsSync(stop)) {
  let text;
  try { text = readFileSync(file, 'utf8'); } catch (e) { errors.push('read: ' + e.code); continue; }
  reads++;
  try {
    const doc = parse(text);
    const notes = new Set(doc.sessions.map((s) => s.note));
    if (notes.size !== 1) throw new Error('sessions from different writes: ' + [...notes].join(','));
    const write = Number([...notes][0].slice('write-'.length));
    if (doc.sessions.length !== 30 + (write % 20)) throw new Error('write ' + write + ' has ' + doc.sessions.length + ' sessions');
    if (!text.endsWith('\\n')) throw new Error('no final newline');
    seen.add(write);
  } catch (e) { if (errors.length < 5) errors.push(String(e.message).slice(0, 200)); else errors.push('...'); }
}
process.stdout.write(JSON.stringify({ reads, distinct: seen.size, errors }) + '\\n');
`;

describe('YamlMirror', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-mirror-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('writes every session with a fixed field order and nulls for unknowns', () => {
    const mirror = new YamlMirror(mirrorPath(home), { now: () => T0 });
    mirror.write([session(1, 'a'), session(3, 'b')]);
    const text = readFileSync(join(home, 'agent-sessions.yaml'), 'utf8');
    expect(text.startsWith('# Written by the Hermes runner')).toBe(true);
    const doc = parse(text);
    expect(doc.version).toBe(1);
    expect(doc.updated_at).toBe('2026-06-21T10:00:00.000Z');
    expect(Object.keys(doc.sessions[0])).toEqual([
      'name',
      'job_id',
      'profile',
      'status',
      'created_at',
      'started_at',
      'ended_at',
      'stopped_at',
      'terminated_at',
      'archived_at',
      'exit_status',
      'last_event',
      'last_event_at',
      'cwd',
      'pane_pid',
      'note',
      'error_owed',
    ]);
    expect(doc.sessions[0]).toMatchObject({
      name: 'hermes-j-1',
      ended_at: null,
      cwd: '/work/repo with spaces: "1"',
    });
    expect(doc.sessions[1]).toMatchObject({ status: 'terminated', exit_status: 0 });
    expect(statSync(mirrorPath(home)).mode & 0o777).toBe(0o600);
    expect(readdirSync(home)).toEqual(['agent-sessions.yaml']);
  });

  it('renders an empty list as valid YAML', () => {
    expect(parse(renderSessionsYaml([], T0))).toEqual({
      version: 1,
      updated_at: '2026-06-21T10:00:00.000Z',
      sessions: [],
    });
  });

  it('reports a failed write as a store error and marks itself stale until a write succeeds', () => {
    const mirror = new YamlMirror(join(home, 'missing-dir', 'agent-sessions.yaml'));
    let err: unknown;
    try {
      mirror.write([session(1, 'a')]);
    } catch (e) {
      err = e;
    }
    expect(isHermesError(err, 'store')).toBe(true);
    expect((err as Error).message).toMatch(/cannot write .*missing-dir/);
    expect(mirror.stale).toBe(true);
    const ok = new YamlMirror(mirrorPath(home));
    ok.write([]);
    expect(ok.stale).toBe(false);
  });

  it('never shows a polling reader a partial or mixed file during 200 rewrites', async () => {
    const file = mirrorPath(home);
    const stop = join(home, 'stop');
    const mirror = new YamlMirror(file);
    const write = (w: number) =>
      mirror.write(Array.from({ length: 30 + (w % 20) }, (_, i) => session(i, `write-${w}`)));
    write(0);

    const child = spawn(process.execPath, ['--input-type=module', '-e', READER, file, stop], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('ready\n') && resolve());
      child.on('error', reject);
      child.on('close', () => reject(new Error(`reader exited early: ${out}`)));
    });

    for (let w = 1; w <= 200; w++) {
      write(w);
      // let the reader's loop interleave with ours on a 2-core machine
      if (w % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    writeFileSync(stop, '');
    expect(await exited).toBe(0);
    const result = JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as {
      reads: number;
      distinct: number;
      errors: string[];
    };
    expect(result.errors).toEqual([]);
    expect(result.reads).toBeGreaterThan(0);
    // The reader really overlapped the writes (saw more than one version).
    expect(result.distinct).toBeGreaterThan(1);
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
