import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'bin', 'hp-bench.mjs');
const run = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [bin, '--dir', join(__dirname, 'fixtures'), '--time', '20', '--warmup', '5', '--rounds', '1', ...args],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );

describe('hp-bench', () => {
  it('prints exactly one JSON array of results on stdout with --json', () => {
    const result = run('--json');
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(2);
    const [timed, measured] = parsed;
    expect(Object.keys(timed!).sort()).toEqual([
      'case',
      'higherIsBetter',
      'ours',
      'peer',
      'peerValue',
      'ratio',
      'unit',
    ]);
    expect(timed).toMatchObject({
      case: 'sum 100 numbers',
      unit: 'ops/s',
      peer: 'reduce',
      higherIsBetter: true,
    });
    expect(timed!.ours as number).toBeGreaterThan(0);
    expect(timed!.ratio).toBeCloseTo((timed!.ours as number) / (timed!.peerValue as number), 10);
    expect(measured).toEqual({
      case: 'size',
      unit: 'bytes',
      ours: 50,
      peer: 'json',
      peerValue: 200,
      ratio: 0.25,
      higherIsBetter: false,
    });
    // progress and machine details go to stderr, never into the JSON
    expect(result.stderr).toContain('hp-bench: node v24.');
  });

  it('prints a table without --json and honours --filter', () => {
    const result = run('--filter', 'size');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^case\s+unit/);
    expect(result.stdout).toContain('size');
    expect(result.stdout).not.toContain('sum 100 numbers');
  });

  it('rejects a bad option with a clear message', () => {
    const result = run('--time', 'soon');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--time must be a positive number');
  });
});
