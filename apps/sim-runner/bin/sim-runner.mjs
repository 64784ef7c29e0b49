#!/usr/bin/env node
// The sim-runner command: runs dist/cli.js, building the app first when dist/ is missing (fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `sim-runner needs Node >= 22 (this is ${process.version}); run it through npm/npx in the repository.`,
  );
  process.exit(1);
}
const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    'sim-runner: first run, building the app and the packages it uses (nx run sim-runner:build)...',
  );
  const built = spawnSync('npx', ['nx', 'run', 'sim-runner:build', '--outputStyle=static'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (built.status !== 0 || !existsSync(cli)) {
    console.error('sim-runner: the build failed; run "npm run build -w apps/sim-runner" to see why.');
    process.exit(1);
  }
}
const { main } = await import(cli.href);
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted (Ctrl-C)')));
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
