/**
 * Which way imports may go (docs/architecture.md, "Dependency directions"), checked by
 * `npm run lint`: a violation fails CI.
 *
 * The composition root (the files that wire processes: the CLI command table, the bot's plugin
 * list, `hermes up`, `hermes doctor`) is the only code in src/ that may import adapters/ or
 * runner/. It is still spread over four places (COMPOSITION_ROOT below) until it moves into one
 * folder (issue 10).
 */
const COMPOSITION_ROOT = '^src/(bot/plugins\\.ts|cli/commands\\.ts|doctor/checks\\.ts|up/)';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-adapter-or-runner',
      comment:
        'src/ is the core: it does not know the chat adapters or the runner. Wire them in the composition root.',
      severity: 'error',
      from: { path: '^src/', pathNot: COMPOSITION_ROOT },
      to: { path: '^(adapters|runner)/' },
    },
    {
      name: 'adapters-import-no-runner',
      comment: 'A chat adapter talks to the core only; the runner is reached over the broker.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^runner/' },
    },
    {
      name: 'adapters-import-no-other-adapter',
      comment: 'Each adapter implements the port on its own.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: '^adapters/', pathNot: '^adapters/$1/' },
    },
    {
      name: 'adapters-attach-through-the-plugin-interface',
      comment:
        'Adapters implement the bot plugin interface (src/bot/plugin.ts); run-bot.ts wires the process.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^src/bot/run-bot\\.ts$' },
    },
    {
      name: 'runner-imports-no-adapter',
      comment: 'The runner knows no chat platform.',
      severity: 'error',
      from: { path: '^runner/' },
      to: { path: '^adapters/' },
    },
    {
      name: 'chat-sdk-only-in-adapters',
      comment: '@slack/bolt and discord.js are imported by their adapter only.',
      severity: 'error',
      from: { path: '^(src|runner)/' },
      to: { path: 'node_modules/(@slack/|discord\\.js/|@discordjs/)' },
    },
    {
      name: 'protocol-and-policy-stay-light',
      comment:
        'The agent bundle and the hook load src/protocol and src/policy on every tool call: they import no other Hermes module but src/errors.ts.',
      severity: 'error',
      from: { path: '^src/(protocol|policy)/' },
      to: {
        path: '^(src|runner|adapters)/',
        pathNot: '^src/(protocol/|policy/|errors\\.ts$)',
        // A type import is erased at build: it loads nothing.
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
