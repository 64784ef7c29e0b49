import { performance } from 'node:perf_hooks';
import { defineSuite, type BenchCase } from '@hp/bench';
import { SERVICES, tcpReachable } from '@hp/testing';
import genericPool from 'generic-pool';
import pg from 'pg';
import { Pool as TarnPool } from 'tarn';
import { Pool, PoolError, postgresFactory } from '../src/index.js';

const BATCH = 100;
const MAX = 10;

type Res = { id: number };
let nextId = 0;
const create = async (): Promise<Res> => ({ id: nextId++ });

let ours: Pool<Res>;
let tarn: TarnPool<Res>;
let gp: genericPool.Pool<Res>;
let unhandled = 0;
const onUnhandled = (): void => void unhandled++;

function median(a: number[]): number {
  return a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
}

function p99(samples: number[]): number {
  const sorted = samples.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

/** BATCH sequential acquire+release pairs on the pool's one warm idle resource. */
async function idleLoop(acquire: () => Promise<Res>, release: (r: Res) => unknown): Promise<Res | undefined> {
  let r: Res | undefined;
  for (let i = 0; i < BATCH; i++) {
    r = await acquire();
    release(r);
  }
  return r;
}

/** Our side of both idle-resource cases (against tarn and against generic-pool). */
const oursIdleLoop = (): Promise<Res | undefined> =>
  idleLoop(
    () => ours.acquire(),
    (r) => ours.release(r),
  );

const hold = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** `users` concurrent callers (10x the pool's max) each acquire, hold ~1 ms, release; `rounds` times. */
async function burst(
  acquire: (i: number) => Promise<Res | undefined>,
  release: (r: Res) => void,
  users = MAX * 10,
  rounds = 10,
): Promise<number[]> {
  const waits: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        const t0 = performance.now();
        const r = await acquire(i);
        if (r === undefined) return;
        waits.push(performance.now() - t0);
        await hold();
        release(r);
      }),
    );
  }
  return waits;
}

function cases(): BenchCase[] {
  const list: BenchCase[] = [
    {
      name: `acquire+release, idle resource (x${BATCH})`,
      opsPerCall: BATCH,
      ours: oursIdleLoop,
      peer: {
        name: 'tarn',
        fn: () =>
          idleLoop(
            () => tarn.acquire().promise,
            (r) => tarn.release(r),
          ),
      },
    },
    {
      name: `acquire+release, idle resource (x${BATCH}) vs generic-pool`,
      opsPerCall: BATCH,
      ours: oursIdleLoop,
      peer: {
        name: 'generic-pool',
        fn: () =>
          idleLoop(
            () => gp.acquire(),
            (r) => void gp.release(r),
          ),
      },
    },
    {
      kind: 'measured',
      name: `burst of ${MAX * 10} users on max ${MAX} (hold 1 ms): p99 acquire wait (median of 6 runs)`,
      unit: 'ms',
      higherIsBetter: false,
      measure: async () => {
        const burstPool = new Pool<Res>({
          name: 'burst',
          factory: { create, destroy: () => {} },
          config: { max_size: MAX, health_check_interval: 0 },
        });
        const burstTarn = new TarnPool<Res>({ create, destroy: () => {}, min: 0, max: MAX });
        const oursP99: number[] = [];
        const tarnP99: number[] = [];
        let oursAcquires = 0;
        const runOurs = async () => {
          const w = await burst(
            () => burstPool.acquire(),
            (r) => burstPool.release(r),
          );
          oursAcquires += w.length;
          return p99(w);
        };
        const runTarn = async () =>
          p99(
            await burst(
              () => burstTarn.acquire().promise,
              (r) => void burstTarn.release(r),
            ),
          );
        await runOurs(); // warm-up, discarded
        await runTarn();
        for (let run = 0; run < 6; run++) {
          // alternate which side goes first; each run is its own p99, the median run is reported
          if (run % 2 === 0) {
            oursP99.push(await runOurs());
            tarnP99.push(await runTarn());
          } else {
            tarnP99.push(await runTarn());
            oursP99.push(await runOurs());
          }
        }
        const s = burstPool.stats();
        process.stderr.write(
          `    ours: ${oursAcquires} acquires, p99 per run ${oursP99.map((v) => v.toFixed(1)).join(' ')} ms (tarn ${tarnP99.map((v) => v.toFixed(1)).join(' ')}); pool stats: p50 ${s.wait.p50Ms.toFixed(2)} ms, p99 ${s.wait.p99Ms.toFixed(2)} ms (bucket estimate), max ${s.wait.maxMs.toFixed(2)} ms, size ${s.size}, in use ${s.inUse}\n`,
        );
        await burstPool.close();
        await burstTarn.destroy();
        return { ours: median(oursP99), peer: 'tarn', peerValue: median(tarnP99) };
      },
    },
    {
      kind: 'measured',
      name: `burst of ${MAX * 10} users with 10% aborts + 5 ms timeouts: leaked resources + unhandled rejections`,
      unit: 'count',
      higherIsBetter: false,
      measure: async () => {
        const leaksOf = async (
          pool: { inUse: () => number; pending: () => number; close: () => Promise<void> },
          run: () => Promise<unknown>,
        ) => {
          const before = unhandled;
          await run();
          await new Promise((r) => setTimeout(r, 20)); // let stray rejections surface
          const leaked = pool.inUse() + pool.pending();
          return leaked + (unhandled - before);
        };
        const small = new Pool<Res>({
          name: 'burst',
          factory: { create, destroy: () => {} },
          config: { max_size: MAX, acquire_timeout: 0.005, health_check_interval: 0 },
        });
        const smallTarn = new TarnPool<Res>({
          create,
          destroy: () => {},
          min: 0,
          max: MAX,
          acquireTimeoutMillis: 5,
        });
        const outcomes = { ok: 0, timeout: 0, aborted: 0 };
        const oursBad = await leaksOf(
          {
            inUse: () => small.stats().inUse,
            pending: () => small.stats().pending,
            close: () => small.close(),
          },
          () =>
            burst(
              (i) =>
                small.acquire(i % 10 === 0 ? { signal: AbortSignal.timeout(1) } : undefined).then(
                  (r) => (outcomes.ok++, r),
                  (e: unknown) => {
                    if (e instanceof PoolError && e.code === 'ABORTED') outcomes.aborted++;
                    else outcomes.timeout++;
                    return undefined;
                  },
                ),
              (r) => small.release(r),
            ),
        );
        const tarnBad = await leaksOf(
          {
            inUse: () => smallTarn.numUsed(),
            pending: () => smallTarn.numPendingAcquires(),
            close: async () => {},
          },
          () =>
            burst(
              () => smallTarn.acquire().promise.catch(() => undefined),
              (r) => void smallTarn.release(r),
            ),
        );
        process.stderr.write(
          `    ours: ${outcomes.ok} served, ${outcomes.timeout} timed out, ${outcomes.aborted} aborted; size ${small.stats().size} <= ${MAX}\n`,
        );
        await small.close();
        await smallTarn.destroy();
        return { ours: oursBad, peer: 'tarn', peerValue: tarnBad };
      },
    },
  ];
  if (tcpReachable(SERVICES.postgres.host, SERVICES.postgres.port)) {
    list.push({
      kind: 'measured',
      name: 'PostgreSQL SELECT 1 round trip through the pool (sequential, median of 5 means)',
      unit: 'µs',
      higherIsBetter: false,
      measure: async () => {
        const N = 1000;
        const db = new Pool({
          name: 'database_primary',
          factory: postgresFactory({ Client: pg.Client, connectionString: SERVICES.postgres.url }),
          config: { min_size: 1, max_size: 2, health_check_interval: 0 },
        });
        const pgPool = new pg.Pool({ connectionString: SERVICES.postgres.url, max: 2 });
        const time = async (fn: () => Promise<unknown>): Promise<number> => {
          for (let i = 0; i < 100; i++) await fn(); // warm up
          const t0 = performance.now();
          for (let i = 0; i < N; i++) await fn();
          return ((performance.now() - t0) * 1000) / N;
        };
        const raw = new pg.Client({ connectionString: SERVICES.postgres.url });
        await raw.connect();
        const oursUs: number[] = [];
        const pgUs: number[] = [];
        const rawUs: number[] = [];
        for (let round = 0; round < 5; round++) {
          oursUs.push(await time(() => db.use((c) => c.query('SELECT 1'))));
          pgUs.push(await time(() => pgPool.query('SELECT 1')));
          rawUs.push(await time(() => raw.query('SELECT 1')));
        }
        process.stderr.write(
          `    median of 5 rounds x ${N}: ours ${median(oursUs).toFixed(0)} µs, pg.Pool ${median(pgUs).toFixed(0)} µs, one pg.Client without pool ${median(rawUs).toFixed(0)} µs\n`,
        );
        await raw.end();
        return { ours: median(oursUs), peer: 'pg.Pool', peerValue: median(pgUs) };
      },
    });
  }
  return list;
}

export default defineSuite({
  name: 'pool',
  before: async () => {
    process.on('unhandledRejection', onUnhandled);
    ours = new Pool<Res>({
      name: 'bench',
      factory: { create, destroy: () => {} },
      config: { max_size: MAX, health_check_interval: 0 },
    });
    tarn = new TarnPool<Res>({ create, destroy: () => {}, min: 0, max: MAX });
    gp = genericPool.createPool<Res>({ create, destroy: async () => {} }, { max: MAX, min: 0 });
    // one warm resource each, so the timed loops measure acquire+release only
    ours.release(await ours.acquire());
    tarn.release(await tarn.acquire().promise);
    await gp.release(await gp.acquire());
  },
  after: async () => {
    await ours.close();
    await tarn.destroy();
    await gp.drain();
    await gp.clear();
    process.off('unhandledRejection', onUnhandled);
  },
  cases,
});
