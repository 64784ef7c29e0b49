import {
  AdaptiveOptimizer,
  CacheBudget,
  ManualScheduler,
  PoolSizer,
  Aimd,
  cacheBudgetTuner,
  concurrencyTuner,
  mulberry32,
  poolSizeTuner,
} from '../src/index.js';
import { batchSizeTunerOf, knob } from './fixtures.js';
import { gaussian } from './plants.js';

class Lru {
  private readonly _m = new Map<string, true>();
  constructor(public capacity: number) {}
  access(key: string): boolean {
    const hit = this._m.delete(key);
    this._m.set(key, true);
    while (this._m.size > this.capacity) this._m.delete(this._m.keys().next().value!);
    return hit;
  }
}

/**
 * Knobs of a "hot" and a "scan" cache tier (100 and 900 entries of a 1,000-entry budget) and their budget.
 * `exact`: sampling rate 1, 100..900 entries per tier, and a curve point at every size a 100-entry step
 * reaches (moves can be judged on the same requests).
 */
function hotAndScan(samplingRate: number, exact = false) {
  const a = knob('cache.hot', 100, 100, 900, 200);
  const b = knob('cache.scan', 900, 100, 900, 200);
  const tier = exact
    ? {
        bytesPerEntry: 1,
        minEntries: 100,
        maxEntries: 900,
        sizes: [100, 200, 300, 400, 500, 600, 700, 800, 900],
      }
    : { bytesPerEntry: 1 };
  const budget = new CacheBudget({
    budgetBytes: 1000,
    tiers: [
      { name: 'hot', ...tier },
      { name: 'scan', ...tier },
    ],
    samplingRate: exact ? 1 : samplingRate,
    stepBytes: 100,
  });
  return { a, b, budget };
}

/**
 * The tiers of `hotAndScan(1, true)` as real LRU caches, sampled every 10 s on a manual scheduler: 40 requests,
 * a share `hotShare(r, now)` of them (asked once per sample) to the hot tier with keys `hotKey(r)`, the rest
 * to keys that never repeat; each outcome is fed to the budget. `hitRatio()` is the last sample's.
 */
function hotAndScanPlant(
  seed: number,
  hotShare: (r: () => number, now: number) => number,
  hotKey: (r: () => number) => string,
) {
  const { a, b, budget } = hotAndScan(1, true);
  const hot = new Lru(a.value);
  const scan = new Lru(b.value);
  const r = mulberry32(seed);
  let last = 0;
  const scheduler = new ManualScheduler();
  scheduler.every(10_000, () => {
    const share = hotShare(r, scheduler.clock());
    hot.capacity = a.value;
    scan.capacity = b.value;
    let hits = 0;
    for (let i = 0; i < 40; i++) {
      const isHot = r() < share;
      const key = isHot ? hotKey(r) : `s${Math.floor(r() * 1e9)}`;
      const hit = (isHot ? hot : scan).access(key);
      budget.record(isHot ? 'hot' : 'scan', key, hit);
      if (hit) hits++;
    }
    last = hits / 40;
  });
  return { a, b, budget, scheduler, hitRatio: () => last };
}

/** A tuning context where the objective `hit` has the same value everywhere. */
function hitContext(a: { value: number }, b: { value: number }) {
  return (hit: number) => ({
    interval: 0,
    now: 0,
    knobs: { 'cache.hot': a.value, 'cache.scan': b.value },
    latest: { hit },
    window: { hit: [hit] },
    mean: () => hit,
  });
}

describe('tuners inside the AdaptiveOptimizer', () => {
  it('cacheBudgetTuner moves memory to the tier whose keys repeat, kept only when the hit ratio improves', async () => {
    // Tier "hot": 500 keys, uniform (fits in 500 entries). Tier "scan": 100k keys, uniform (never hits).
    const { a, b, budget } = hotAndScan(0.5);
    const hot = new Lru(a.value);
    const scan = new Lru(b.value);
    const r = mulberry32(1);
    let hitRatio = 0;
    const scheduler = new ManualScheduler();
    scheduler.every(10_000, () => {
      hot.capacity = a.value;
      scan.capacity = b.value;
      let hits = 0;
      for (let i = 0; i < 400; i++) {
        const isHot = r() < 0.5;
        const key = isHot ? `h${Math.floor(r() * 500)}` : `s${Math.floor(r() * 100_000)}`;
        budget.record(isHot ? 'hot' : 'scan', key);
        if ((isHot ? hot : scan).access(key)) hits++;
      }
      hitRatio = hits / 400;
    });
    const opt = new AdaptiveOptimizer({
      config: { optimization_interval: 300, sample_interval: 10, ml_models: {} },
      signals: { hitRatio: () => hitRatio },
      tuners: [cacheBudgetTuner({ budget, knobs: { hot: a, scan: b }, objective: 'hitRatio' })],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(300_000 * 20);
    await opt.close();
    expect(a.value).toBeGreaterThanOrEqual(500);
    expect(a.value + b.value).toBe(1000);
    const kept = opt.auditLog.entries().filter((e) => e.decision === 'kept');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0]!.reason).toBe('marginal hit gain: move memory scan -> hot');
    expect(kept[0]!.expectedImprovement).toBeGreaterThan(0);
  });

  /**
   * Two tiers under drift: each interval sends a different share of the requests to the hot tier (10% to
   * 90%), so the overall hit ratio moves between intervals by far more than one 100-entry move changes it.
   * The real caches' outcomes are fed to the budget (`record(tier, key, hit)`), whose curves simulate each
   * tier exactly at every size the steps reach.
   */
  async function driftingHotAndScan(paired: boolean) {
    let hotShare = 0.5;
    let samples = 0;
    const { a, b, budget, scheduler, hitRatio } = hotAndScanPlant(
      7,
      (r) => {
        if (samples++ % 30 === 0) hotShare = 0.1 + 0.8 * r(); // a new share every interval
        return hotShare;
      },
      // hot: 400 keys, Zipf-like (the square of a uniform draw): more entries keep paying, less and less
      (r) => `h${Math.floor(400 * r() ** 2)}`,
    );
    const opt = new AdaptiveOptimizer({
      config: { optimization_interval: 300, sample_interval: 10, ml_models: {} },
      signals: { hitRatio },
      tuners: [cacheBudgetTuner({ budget, knobs: { hot: a, scan: b }, objective: 'hitRatio', paired })],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(300_000 * 24);
    await opt.close();
    return { hot: a.value, scan: b.value, audit: opt.auditLog.entries() };
  }

  it('cacheBudgetTuner judges a move on the same requests: kept under drift that hides it from the windows', async () => {
    const paired = await driftingHotAndScan(true);
    const windows = await driftingHotAndScan(false);
    const hotMoves = (x: typeof paired) => x.audit.filter((e) => e.knob === 'cache.hot');
    // paired: every move measured on the same requests is kept; the only rollback is a move whose grown
    // cache had not filled within the gate's looks (no evidence either way), tried again later
    expect(paired.hot).toBeGreaterThanOrEqual(400);
    expect(paired.hot + paired.scan).toBe(1000);
    const kept = hotMoves(paired).filter((e) => e.decision === 'kept');
    expect(kept.map((e) => e.newValue)).toEqual([200, 300, 400]);
    expect(kept.every((e) => e.verdict.startsWith('paired sign test') && e.pValue < 0.001)).toBe(true);
    const back = hotMoves(paired).filter((e) => e.decision !== 'kept');
    expect(back.every((e) => e.verdict.includes('too few differing units (0 better / 0 worse'))).toBe(true);
    // windows: the same first move (100 -> 200) measured worse through the drift and rolled back, and a
    // later move kept on a "gain" far beyond anything one step can give (the drift again)
    const first = hotMoves(windows)[0]!;
    expect([first.oldValue, first.newValue, first.decision]).toEqual([100, 200, 'rolled_back']);
    expect(first.measuredImprovement).toBeLessThan(0);
    expect(first.verdict).toMatch(/^welch/);
    expect(Math.max(...hotMoves(windows).map((e) => e.measuredImprovement))).toBeGreaterThan(1);
    expect(Math.max(...kept.map((e) => e.measuredImprovement))).toBeLessThan(1);
  });

  /**
   * Half the requests to each tier (hot: 400 keys, Zipf-like; scan: never repeats), outcomes fed to the
   * budget; after `shiftAt` the hot tier's keys are new ones (a popularity shift). Returns the hot tier's
   * size at each sample after the shift and the audit log.
   */
  async function shiftingHot(resetOnShift: boolean | undefined, shiftAt = 300_000 * 12) {
    let generation = 0;
    const after: number[] = [];
    const { a, b, budget, scheduler, hitRatio } = hotAndScanPlant(
      11,
      (_, now) => {
        if (now >= shiftAt) {
          generation = 1;
          after.push(a.value);
        }
        return 0.5;
      },
      (r) => `h${generation}-${Math.floor(400 * r() ** 2)}`,
    );
    const opt = new AdaptiveOptimizer({
      config: { optimization_interval: 300, sample_interval: 10, ml_models: {} },
      signals: { hitRatio },
      tuners: [
        cacheBudgetTuner({
          budget,
          knobs: { hot: a, scan: b },
          objective: 'hitRatio',
          ...(resetOnShift !== undefined ? { resetOnShift } : {}),
        }),
      ],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(shiftAt + 30_000);
    await opt.close();
    return { after, audit: opt.auditLog.entries() };
  }

  it('cacheBudgetTuner puts the configured sizes back at the first sample after a popularity shift', async () => {
    const { after, audit } = await shiftingHot(undefined);
    // tuned for the old popularity: the hot tier had grown from 100 to 400 entries before the shift
    const kept = audit.filter((e) => e.knob === 'cache.hot' && e.decision === 'kept');
    expect(kept.at(-1)!.newValue).toBe(400);
    // the samples from the shift on (10 s apart, ~20 new hot keys each): back at the first one
    expect(after).toEqual([400, 100, 100, 100]);
    const reset = audit.filter((e) => e.decision === 'reset');
    expect(reset.map((e) => [e.knob, e.oldValue, e.newValue])).toEqual([
      ['cache.hot', 400, 100],
      ['cache.scan', 600, 900],
    ]);
    expect(reset[0]!.reason).toMatch(
      /^popularity shifted: hot hit \d+ of its last \d+ accesses, 99.9% expected at 400 entries \(p < 1e-12\)$/,
    );
    // with resetOnShift: false the split tuned for the old keys stays
    const kept2 = await shiftingHot(false);
    expect(kept2.after).toEqual([400, 400, 400, 400]);
    expect(kept2.audit.some((e) => e.decision === 'reset')).toBe(false);
  });

  it('cacheBudgetTuner falls back to the windows when the budget cannot replay the old sizes exactly', () => {
    const { budget } = hotAndScan(0.5); // sampled curves: no exact replay
    expect(budget.watch({ hot: 100, scan: 900 })).toBe(false);
    expect(budget.evidence()).toBeUndefined();
    const exact = new CacheBudget({
      budgetBytes: 100,
      tiers: [{ name: 'only', bytesPerEntry: 1, sizes: [10, 20] }],
      samplingRate: 1,
    });
    expect(exact.watch({ only: 15 })).toBe(false); // no curve point at 15
    expect(exact.watch({ only: 10 })).toBe(true);
    // a cache of 10 against the replay of 10 itself: never better, never worse
    for (let i = 0; i < 50; i++) exact.record('only', `k${i % 5}`, i >= 5);
    expect(exact.evidence()).toEqual({ wins: 0, losses: 0, total: 50, baseline: 45 });
    exact.unwatch();
    expect(exact.evidence()).toBeUndefined();
  });

  it('CacheBudget compares a grown tier only once its new room has filled', () => {
    const budget = new CacheBudget({
      budgetBytes: 100,
      tiers: [{ name: 'only', bytesPerEntry: 1, sizes: [4, 8] }],
      samplingRate: 1,
    });
    for (let i = 0; i < 40; i++) budget.record('only', `k${i % 8}`); // 8 keys in a loop: a 4-entry LRU never hits
    expect(budget.watch({ only: 4 }, { only: 8 })).toBe(true);
    // the real cache grew 4 -> 8: its first 4 misses fill the new room and are not compared
    for (let i = 0; i < 4; i++) budget.record('only', `k${i}`, false);
    expect(budget.evidence()).toEqual({ wins: 0, losses: 0, total: 0, baseline: 0 });
    expect(budget.watchedOutcomes).toBe(4);
    for (let i = 4; i < 12; i++) budget.record('only', `k${i % 8}`, i >= 8);
    expect(budget.evidence()).toEqual({ wins: 4, losses: 0, total: 8, baseline: 0 });
  });

  it('cacheBudgetTuner with settle proposes nothing while the objective is still moving between intervals', () => {
    const { a, b, budget } = hotAndScan(1);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 400; i++) budget.record('hot', `h${i % 150}`);
      for (let i = 0; i < 400; i++) budget.record('scan', `s${round}-${i}`);
    }
    const tuner = cacheBudgetTuner({ budget, knobs: { hot: a, scan: b }, objective: 'hit', settle: 0.15 });
    if (tuner.kind !== 'gated') throw new Error('gated');
    const ctx = hitContext(a, b);
    expect(tuner.propose(ctx(0.2))).toBeUndefined(); // no previous interval yet
    tuner.onInterval!(ctx(0.2));
    expect(tuner.propose(ctx(0.3))).toBeUndefined(); // +50%: warming up
    tuner.onInterval!(ctx(0.3));
    expect(tuner.propose(ctx(0.31))?.reason).toBe('marginal hit gain: move memory scan -> hot');
  });

  it('cacheBudgetTuner follows a shift at once when the move will be judged on the same requests', () => {
    const { a, b, budget } = hotAndScan(1, true);
    for (let i = 0; i < 2000; i++) budget.record('hot', `h${i % 150}`, i >= 150); // outcomes fed
    for (let i = 0; i < 2000; i++) budget.record('scan', `s${i}`, false);
    expect(budget.canWatch({ hot: 100, scan: 900 })).toBe(true);
    expect(budget.canWatch({ hot: 150, scan: 850 })).toBe(false); // no exact replay at 150
    const tuner = cacheBudgetTuner({ budget, knobs: { hot: a, scan: b }, objective: 'hit', settle: 0.15 });
    if (tuner.kind !== 'gated') throw new Error('gated');
    const ctx = hitContext(a, b);
    tuner.onInterval!(ctx(0.2));
    // +50% between intervals: the windows test would need the settle guard, the paired one does not
    expect(tuner.propose(ctx(0.3))?.reason).toBe('marginal hit gain: move memory scan -> hot');
    const windowsOnly = cacheBudgetTuner({
      budget,
      knobs: { hot: a, scan: b },
      objective: 'hit',
      settle: 0.15,
      paired: false,
    });
    if (windowsOnly.kind !== 'gated') throw new Error('gated');
    windowsOnly.onInterval!(ctx(0.2));
    expect(windowsOnly.propose(ctx(0.3))).toBeUndefined();
  });

  it('poolSizeTuner applies Little’s law and keeps it when the pool wait drops', async () => {
    const pool = knob('pg.pool.max', 2, 1, 50, 20);
    const n = gaussian(4);
    // 40 acquisitions/s held 0.25 s: 10 busy on average -> 12 with 20% headroom. Wait grows when short.
    const wait = () => Math.max(0, (10 - pool.value) * 0.05 + 0.002) * (1 + 0.05 * n());
    const scheduler = new ManualScheduler();
    const opt = new AdaptiveOptimizer({
      config: { optimization_interval: 300, sample_interval: 10, ml_models: {} },
      signals: { rate: () => 40, hold: () => 0.25, wait },
      tuners: [
        poolSizeTuner({
          knob: pool,
          sizer: new PoolSizer({ headroom: 0.2 }),
          rate: 'rate',
          holdSeconds: 'hold',
          wait: 'wait',
        }),
      ],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(300_000 * 4);
    await opt.close();
    expect(pool.value).toBe(12);
    expect(opt.auditLog.entries()[0]).toMatchObject({ oldValue: 2, newValue: 12, decision: 'kept' });
  });

  /**
   * Runs `intervals` 5-minute optimization intervals on a linear plant (throughput grows with the batch,
   * p95 always within the objective) with a linear_regression model for the batch group.
   */
  async function linearPlantRun(intervals: number, extraConfig: Record<string, unknown> = {}) {
    const b = knob('batch.size', 5, 1, 64);
    const n = gaussian(6);
    const scheduler = new ManualScheduler();
    const opt = new AdaptiveOptimizer({
      config: {
        optimization_interval: 300,
        sample_interval: 10,
        cooldown_intervals: 0,
        min_model_observations: 5,
        ...extraConfig,
        ml_models: { batch_optimization: 'linear_regression' },
      },
      signals: { throughput: () => (50 + 10 * b.value) * (1 + 0.01 * n()), p95: () => 1 },
      tuners: [batchSizeTunerOf(b)],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(300_000 * intervals);
    await opt.close();
    return { b, opt };
  }

  it('uses a learned model once its held-out error is low enough, and says so in the audit log', async () => {
    const { b, opt } = await linearPlantRun(40);
    const byModel = opt.auditLog.entries().filter((e) => e.model === 'linear_regression');
    expect(byModel.length).toBeGreaterThan(0);
    expect(byModel[0]!.reason).toMatch(/^model linear_regression predicts/);
    expect(byModel[0]!.expectedImprovement).toBeGreaterThan(0);
    expect(opt.models()[0]!.usable).toBe(true);
    expect(b.value).toBeGreaterThan(20);
  });

  it('does not use a model whose held-out error is above max_model_error', async () => {
    const { opt } = await linearPlantRun(20, { max_model_error: 1e-9 });
    expect(opt.models()[0]!.usable).toBe(false);
    expect(opt.auditLog.entries().filter((e) => e.model !== undefined)).toHaveLength(0);
    expect(opt.auditLog.entries().length).toBeGreaterThan(0); // the heuristic still tunes
  });

  it('concurrencyTuner hands the queueDelay signal to the controller (AIMD backs off on queueing)', async () => {
    const run = async (queueDelay: number) => {
      const c = knob('llm.concurrency', 20, 1, 200);
      const scheduler = new ManualScheduler();
      const opt = new AdaptiveOptimizer({
        config: { optimization_interval: 300, sample_interval: 10 },
        // No 429s and a fast RTT: only the queueing delay (seconds, inside the 1 s RTT) can cause a backoff.
        signals: { rtt: () => 1, drops: () => 0, queue: () => queueDelay },
        tuners: [
          concurrencyTuner({
            knob: c,
            controller: new Aimd({ minLimit: 1, maxLimit: 200, timeout: 3, queueTolerance: 0.1 }),
            rtt: 'rtt',
            drops: 'drops',
            queueDelay: 'queue',
          }),
        ],
        clock: scheduler.clock,
        scheduler,
      }).start();
      await scheduler.advance(30_000);
      await opt.close();
      return c.value;
    };
    expect(await run(0.05)).toBe(23); // 5% of the service time queued: within tolerance, +1 per sample
    expect(await run(0.5)).toBe(14); // 50%: a drop per sample, 20 -> 18 -> 16 -> 14
  });

  it('concurrency controllers keep their backoff on alerts unless rollbackOnAlert is set', async () => {
    for (const rollbackOnAlert of [false, true]) {
      const c = knob('llm.concurrency', 20, 1, 200);
      const scheduler = new ManualScheduler();
      let fire: ((a: { rule: string }) => void) | undefined;
      const opt = new AdaptiveOptimizer({
        config: { optimization_interval: 300, sample_interval: 10 },
        signals: { rtt: () => 1, drops: () => 1 }, // 429s every sample: AIMD backs off
        tuners: [
          concurrencyTuner({
            knob: c,
            controller: new Aimd({ minLimit: 1 }),
            rtt: 'rtt',
            drops: 'drops',
            rollbackOnAlert,
          }),
        ],
        clock: scheduler.clock,
        scheduler,
        alerts: (l) => {
          fire = l;
          return () => undefined;
        },
      }).start();
      await scheduler.advance(30_000);
      expect(c.value).toBe(14); // 20 -> 18 -> 16 -> 14
      fire!({ rule: 'error_rate' });
      await opt.hardRollback('flush');
      expect(c.value).toBe(rollbackOnAlert ? 20 : 14);
      await opt.close();
    }
  });
});
