// `npm start`: runs the reference simulation (apps/sim-runner) on embedded defaults.
// Until the app lands, say so plainly instead of pretending.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const app = new URL('../../apps/sim-runner/package.json', import.meta.url);
if (!existsSync(app)) {
  console.error(
    'hp: the reference simulation (apps/sim-runner) is not built yet; see README.md and the open issues. ' +
      'Nothing was run.',
  );
  process.exit(1);
}
const result = spawnSync('npm', ['run', 'start', '-w', 'apps/sim-runner', '--', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
