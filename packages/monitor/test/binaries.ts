import { spawnSync } from 'node:child_process';

/**
 * `describe` when every binary is on PATH. When one is missing: under CI=true the file fails (.ci/run
 * installs Debian's chromium and prometheus packages); elsewhere a visible warning and `describe.skip`.
 */
export function describeWithBinaries(...names: string[]): jest.Describe {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  if (missing.length === 0) return describe;
  const message = `${missing.join(', ')} not found on PATH`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${message}; CI must run these tests (.ci/run installs the Debian packages).`);
  }
  console.warn(`SKIPPED: ${message}; the tests that need it are skipped. Install it to run them.`);
  return describe.skip;
}
