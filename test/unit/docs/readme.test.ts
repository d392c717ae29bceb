/** README.md documents every command, config key and environment variable users touch. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { COMMANDS } from '../../../src/cli/commands.js';
import { ENV_KEYS } from '../../../src/config/load.js';
import { ConfigFile } from '../../../src/config/schema.js';

const root = join(import.meta.dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Dotted keys of a zod object schema, looking through defaults and optionals. */
function keysOf(schema: z.ZodType, prefix = ''): string[] {
  let s = schema as unknown as {
    def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
  };
  while (s.def.innerType) s = s.def.innerType as never;
  if (s.def.type !== 'object' || !s.def.shape) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(s.def.shape)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const nested = keysOf(v, key);
    // records (profiles) document their value keys under the record's key
    out.push(...(nested.length ? nested : [key]));
  }
  return out;
}

describe('README.md', () => {
  it('names every CLI command', () => {
    const missing = COMMANDS.map((c) => `hermes ${c.words.join(' ')}`).filter((c) => !readme.includes(c));
    expect(missing).toEqual([]);
  });

  it('documents every config key', () => {
    const missing = keysOf(ConfigFile).filter((k) => !readme.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('documents every environment variable the config reads', () => {
    const missing = Object.keys(ENV_KEYS).filter((k) => !readme.includes(k));
    expect(missing).toEqual([]);
  });
});
