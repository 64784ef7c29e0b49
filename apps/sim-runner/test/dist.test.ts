import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The built output (nx runs `build` before `test`): the CJS and ESM entries load, and the bin runs.
const root = join(__dirname, '..');
const node = process.execPath;
const env = { ...process.env, FORCE_COLOR: '0' };

describe('built output', () => {
  it('loads from CommonJS and ESM', () => {
    expect(existsSync(join(root, 'dist', 'index.cjs'))).toBe(true);
    const cjs = execFileSync(
      node,
      [
        '-e',
        "const m = require('./dist/index.cjs'); const b = new m.BoltzmannModel({ n: 10, seed: 1 }); b.step(); process.stdout.write(typeof m.main + ' ' + b.steps)",
      ],
      { cwd: root, encoding: 'utf8', env },
    );
    expect(cjs.trim()).toBe('function 1');
    const esm = execFileSync(
      node,
      [
        '--input-type=module',
        '-e',
        "import { Model } from './dist/index.js'; process.stdout.write(String(new Model({ seed: 3 }).seed))",
      ],
      { cwd: root, encoding: 'utf8', env },
    );
    expect(esm.trim()).toBe('3');
  });

  it('the sim-runner bin runs a scenario', () => {
    const out = execFileSync(node, ['bin/sim-runner.mjs', 'run', '--steps', '3', '--seed', '1', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    expect(out).toContain('Performance targets');
    expect(out).toContain('seed 1');
  });
});
