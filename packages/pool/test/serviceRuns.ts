import { type Pool, PoolError } from '../src/index.js';
import { until } from './fakeFactory.js';
import { rng } from './netHelpers.js';

/**
 * Shared parts of the real-service factory tests (postgresFactory, redisFactory): polling the server's
 * own count of our connections, and the randomized acquire/release/abort/timeout leak run.
 */

/** Waits until `count()` equals `n` (n re-read each time: the pool may still be creating). */
export async function waitServerCount(
  count: () => Promise<number>,
  n: number | (() => number),
  what: string,
): Promise<void> {
  const expected = typeof n === 'number' ? () => n : n;
  const end = Date.now() + 5000;
  let have: number;
  while ((have = await count()) !== expected()) {
    if (Date.now() > end) throw new Error(`expected ${expected()} ${what}, have ${have}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LeakRunOutcomes {
  ok: number;
  aborted: number;
  timeout: number;
  broken: number;
  failed: number;
}

/**
 * On a pool of min 3 / max 3 with a short acquire timeout: forces one ACQUIRE_TIMEOUT (everything held,
 * one more acquire), shrinks to 1..3, then runs `runs` seeded random uses (5% mark the resource broken,
 * 15% are aborted a few ms in, bursts of at most 12) calling `work(resource, x)` with the use's draw x.
 */
export async function randomizedLeakRun<T>(
  pool: Pool<T>,
  options: { seed: number; runs: number; work: (resource: T, x: number) => Promise<unknown> },
): Promise<LeakRunOutcomes> {
  await until(() => pool.stats().free === 3, 5000); // connect outside the 30 ms acquire timeout
  const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  await expect(pool.acquire()).rejects.toMatchObject({ code: 'ACQUIRE_TIMEOUT' });
  held.forEach((c) => pool.release(c));
  pool.resize(1, 3);

  const random = rng(options.seed);
  const outcomes: LeakRunOutcomes = { ok: 0, aborted: 0, timeout: 0, broken: 0, failed: 0 };
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < options.runs; i++) {
    const x = random();
    const ac = new AbortController();
    const task = pool
      .use(
        async (c, ctx) => {
          if (x < 0.05) ctx.markBroken();
          await options.work(c, x);
        },
        { signal: ac.signal },
      )
      .then(
        () => void (x < 0.05 ? outcomes.broken++ : outcomes.ok++),
        (err: unknown) => {
          const code = err instanceof PoolError ? err.code : 'other';
          if (code === 'ABORTED') outcomes.aborted++;
          else if (code === 'ACQUIRE_TIMEOUT') outcomes.timeout++;
          else outcomes.failed++;
        },
      );
    if (random() < 0.15) setTimeout(() => ac.abort(), Math.floor(random() * 5));
    tasks.push(task);
    if (random() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
    if (tasks.length >= 12) await Promise.all(tasks.splice(0));
  }
  await Promise.all(tasks);
  return outcomes;
}
