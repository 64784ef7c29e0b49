#!/usr/bin/env node
// Runs the benchmark suites of the package in the current directory (its benchmark/*.bench.ts files)
// through tsx, so suites are TypeScript that import the package's src/ directly.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const result = spawnSync(process.execPath, ['--expose-gc', '--import', tsx, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
