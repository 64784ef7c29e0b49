import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Async from '../src/index.js';
import { InvalidOptionsError, WorkerPool as SrcWorkerPool } from '../src/index.js';

// Worker threads load the built files (dist/index.cjs -> dist/worker.cjs, dist/index.js -> dist/worker.js).
// `nx test` builds first (see package.json "nx"); run `npm run build -w @hp/async` before a bare jest run.
const dist = join(__dirname, '..', 'dist');
const built = existsSync(join(dist, 'index.cjs')) && existsSync(join(dist, 'worker.cjs'));
if (!built) {
  const message = `WorkerPool tests need the build (${dist} missing): run npm run build -w @hp/async`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
}
const describeBuilt = built ? describe : describe.skip;
const cpu = join(__dirname, 'fixtures', 'cpu.mjs');

describeBuilt('WorkerPool (built CJS and ESM)', () => {
  let WorkerPool: typeof Async.WorkerPool;
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    WorkerPool = (require(join(dist, 'index.cjs')) as typeof Async).WorkerPool;
  });

  it('runs an exported function on worker threads from the CJS build and surfaces run/wait histograms', async () => {
    const pool = new WorkerPool({ worker_pool_size: 2 });
    const results = await Promise.all([20, 21, 22, 23].map((n) => pool.exec<number>(cpu, 'fib', [n])));
    expect(results).toEqual([6765, 10946, 17711, 28657]);
    const stats = pool.stats();
    expect(stats.completed).toBe(4);
    expect(stats.runTime.count).toBe(4);
    expect(stats.runTime.p50).toBeGreaterThanOrEqual(0);
    expect(stats.waitTime.max).toBeGreaterThanOrEqual(0);
    await expect(pool.exec(pathToFileURL(cpu), 'nope')).rejects.toThrow('no exported function "nope"');
    await pool.close();
    await expect(pool.exec(cpu, 'fib', [1])).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('is bounded (QueueFullError) and abortable per task', async () => {
    const pool = new WorkerPool({ workerPoolSize: 1, maxQueue: 2 });
    const busy = pool.exec(cpu, 'spin', [200]);
    const queued = pool.exec(cpu, 'spin', [1]);
    const controller = new AbortController();
    const aborted = pool.exec(cpu, 'spin', [1], { signal: controller.signal });
    await expect(pool.exec(cpu, 'spin', [1])).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(busy).resolves.toBe(true);
    await expect(queued).resolves.toBe(true);
    await pool.close();
  });

  it('runs your own worker file with run()', async () => {
    const pool = new WorkerPool({
      workerPoolSize: 1,
      filename: join(__dirname, 'fixtures', 'square-worker.mjs'),
    });
    await expect(pool.run({ n: 7 })).resolves.toBe(49);
    await expect(pool.exec(cpu, 'fib', [10])).resolves.toBe(55);
    await pool.close();
  });

  it('works from the ESM build too (child process importing dist/index.js)', () => {
    const script = `
      import { WorkerPool } from ${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)};
      const pool = new WorkerPool({ worker_pool_size: 1 });
      const r = await pool.exec(${JSON.stringify(cpu)}, 'fib', [15]);
      await pool.close();
      process.stdout.write('fib ' + String(r));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('fib 610');
  });
});

describeBuilt('built CJS from a plain require (no Jest module system)', () => {
  it('loads dist/index.cjs in a child node and runs a worker task', () => {
    const script = `
      const { WorkerPool, PriorityQueue } = require(${JSON.stringify(join(dist, 'index.cjs'))});
      const q = new PriorityQueue({ concurrency: 1 });
      const pool = new WorkerPool({ worker_pool_size: 1 });
      q.add(() => pool.exec(${JSON.stringify(cpu)}, 'fib', [12])).then(async (r) => {
        await pool.close();
        q.close();
        process.stdout.write('fib ' + String(r));
      });`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('fib 144');
  });
});

describe('WorkerPool options', () => {
  it('rejects invalid options naming the option', () => {
    expect(() => new SrcWorkerPool({ worker_pool_size: 0 })).toThrow(InvalidOptionsError);
    expect(() => new SrcWorkerPool({ worker_pool_size: -1 })).toThrow(
      expect.objectContaining({ option: 'worker_pool_size' }),
    );
    expect(() => new SrcWorkerPool({ maxQueue: Number.NaN })).toThrow(
      expect.objectContaining({ option: 'maxQueue' }),
    );
  });
});
