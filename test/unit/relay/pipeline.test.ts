import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { EMPTY_PAYLOAD, evaluateMessage } from '../../../src/relay/pipeline.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

const settings = {
  maxPayloadBytes: 65536,
  clockSkewSeconds: 300,
  replayWindow: 1000,
  approvalTimeoutSeconds: 600,
};
let db: Db;
let cleanup: () => void;
let registry: JobRegistry;

beforeEach(() => {
  const t = tempHome('hermes-pipeline-');
  cleanup = t.cleanup;
  db = openBotDb(loadConfig({ env: { HERMES_HOME: t.home } }), silentLogger);
  registry = new JobRegistry(db, systemClock, systemRandom);
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('the relay verdict', () => {
  it('an empty payload (a cleared retained message) is its own malformed drop, for the bot and hermes watch alike', () => {
    const job = registry.register({ profile: 'demo', owner: 'test' });
    expect(evaluateMessage(registry, settings, systemClock, job.id, Buffer.alloc(0))).toEqual({
      verdict: 'dropped',
      reason: 'malformed',
      detail: EMPTY_PAYLOAD,
    });
    // One byte more is not a clear: it is parsed, and refused as what it is.
    const o = evaluateMessage(registry, settings, systemClock, job.id, Buffer.from(' '));
    expect(o).toMatchObject({ verdict: 'dropped', reason: 'malformed' });
    expect(o.detail).not.toBe(EMPTY_PAYLOAD);
  });
});
