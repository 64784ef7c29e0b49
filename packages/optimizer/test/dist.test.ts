import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

function runEntry(entry: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(__dirname, 'fixtures', 'distCheck.mjs'), join(root, 'dist', entry)],
      { timeout: 20_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

// `test` depends on `build` (nx.json), so dist/ is fresh here.
describe('built package', () => {
  it.each(['index.cjs', 'index.js'])(
    '%s loads jstat and ml-cart through their CJS interop',
    async (entry) => {
      expect(await runEntry(entry)).toBe(`${entry} 0.0403 9`);
    },
  );
});
