/**
 * `npm run bench`: runs every benchmark (or those named on the command line),
 * prints one table and writes bench/results/<timestamp>.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchModule, BenchResult } from './types.js';

const here = import.meta.dirname;
const only = process.argv.slice(2);

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

async function main(): Promise<void> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  const all: Array<BenchResult & { bench: string }> = [];
  for (const f of files) {
    const bench = f.replace(/\.bench\.js$/, '');
    process.stderr.write(`bench: ${bench}...\n`);
    const mod = (await import(join(here, f))) as BenchModule;
    try {
      for (const r of await mod.run()) all.push({ bench, ...r });
    } catch (e) {
      all.push({ bench, name: 'FAILED', value: Number.NaN, unit: '', note: String((e as Error).stack ?? e) });
    }
  }
  const rows = all.map((r) => [
    r.bench,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.anchor ? `${r.anchor.name}: ${fmt(r.anchor.value)}` : '',
    r.goal ? `${r.goal.met ? 'MET' : 'NOT MET'}: ${r.goal.text}` : '',
    r.note ?? '',
  ]);
  const head = ['bench', 'measure', 'value', 'anchor (same run)', 'goal', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(
    `${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`,
  );
  const dir = join(here, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results: all }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to ${file}\n`);
  if (all.some((r) => r.name === 'FAILED')) process.exitCode = 1;
}

await main();
