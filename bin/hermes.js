#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare`).
// Commands that agents run on every hook or tool call take single-file bundles (dist/agent/*.mjs,
// built by esbuild) that load only what they need: no CLI config, zod or pino, and no module-by-
// module resolution, which measurably shortens their start-up (see `npm run bench`).
const argv = process.argv.slice(2);
// A reader that went away (`hermes jobs show J | head -3`) is not a failure of the command: end
// quietly, as a program stopped by SIGPIPE would, instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}
// Help is the word right after the command words, nowhere else: `--reason -h` carries agent text,
// and turning that into a usage print that exits 0 would read as "approved" to `hermes ask`.
// The full CLI holds every command's usage text.
const firstOwn = argv[0] === 'hook' ? argv[2] : argv[1];
if (firstOwn === '--help' || firstOwn === '-h') {
  const { main } = await import('../dist/src/cli/process.js');
  main();
} else if (argv[0] === 'publish') {
  const { main } = await import('../dist/agent/publish-main.mjs');
  main(argv.slice(1));
} else if (argv[0] === 'ask') {
  const { main } = await import('../dist/agent/ask-main.mjs');
  main(argv.slice(1));
} else if (argv[0] === 'hook' && (argv[1] === 'claude' || argv[1] === 'codex')) {
  const { main } = await import('../dist/agent/hook-main.mjs');
  main(argv.slice(2), argv[1]);
} else if (argv[0] === 'run' && argv.includes('--')) {
  // Every job's agent runs under `hermes run [--mqtt URL] -- …` (the runner always passes the --).
  const { main } = await import('../dist/agent/run-main.mjs');
  main(argv.slice(1));
} else {
  const { main } = await import('../dist/src/cli/process.js');
  main();
}
