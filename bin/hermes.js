#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare`).
// `hermes publish` runs on every agent hook, so it takes a path that loads only what it needs.
const argv = process.argv.slice(2);
if (argv[0] === 'publish') {
  const { main } = await import('../dist/runner/agent/publish-main.js');
  main(argv.slice(1));
} else if (argv[0] === 'hook' && argv[1] === 'claude') {
  // Claude Code runs this on every tool call: the same light path as publish.
  const { main } = await import('../dist/runner/hooks/hook-main.js');
  main(argv.slice(2));
} else if (argv[0] === 'run' && argv[1] === '--') {
  // Every job's agent runs under `hermes run -- …` (the runner always passes the --): light path too.
  const { main } = await import('../dist/runner/agent/run-main.js');
  main(argv.slice(1));
} else {
  const { main } = await import('../dist/src/cli/process.js');
  main();
}
