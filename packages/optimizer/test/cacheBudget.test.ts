import { CacheBudget, HitRatioCurve, mulberry32 } from '../src/index.js';

/** Zipf(s) sampler over n keys by inverse CDF. */
function zipf(n: number, s: number, seed: number): () => number {
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = w.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const x of w) cdf.push((acc += x / total));
  const r = mulberry32(seed);
  return () => {
    const u = r();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function exactLruHitRatio(keys: string[], size: number): number {
  const m = new Map<string, true>();
  let hits = 0;
  for (const k of keys) {
    if (m.has(k)) {
      hits++;
      m.delete(k);
    } else if (m.size >= size) m.delete(m.keys().next().value!);
    m.set(k, true);
  }
  return hits / keys.length;
}

describe('HitRatioCurve (SHARDS miniature caches)', () => {
  it('estimates an LRU hit-ratio curve within a few points from a 10% key sample', () => {
    const next = zipf(20_000, 0.9, 1);
    const keys = Array.from({ length: 100_000 }, () => `k${next()}`);
    const curve = new HitRatioCurve({ sizes: [100, 500, 2000, 8000], samplingRate: 0.1 });
    for (const k of keys) curve.record(k);
    for (const size of [500, 2000, 8000]) {
      expect(Math.abs(curve.hitRatio(size) - exactLruHitRatio(keys, size))).toBeLessThan(0.05);
    }
    expect(curve.hitRatio(0)).toBe(0);
  });
});

describe('CacheBudget', () => {
  /**
   * Tier "skewed": Zipf 1.1 over 5k keys (big gains from small sizes, flat past that); tier "flat": Zipf 0.6
   * over 50k keys (gains keep coming with memory). 20,000 entries of budget, steps of 1,000.
   */
  const skewedAndFlat = (maxSteps?: number) => {
    const budget = new CacheBudget({
      budgetBytes: 20_000 * 100,
      tiers: [
        { name: 'skewed', bytesPerEntry: 100 },
        { name: 'flat', bytesPerEntry: 100 },
      ],
      samplingRate: 0.2,
      stepBytes: 100 * 1000,
      ...(maxSteps !== undefined ? { maxSteps } : {}),
    });
    const a = zipf(5_000, 1.1, 2);
    const b = zipf(50_000, 0.6, 3);
    for (let i = 0; i < 60_000; i++) {
      budget.record('skewed', `a${a()}`);
      budget.record('flat', `b${b()}`);
    }
    return budget;
  };

  it('moves memory toward the tier with the steeper hit-ratio curve', () => {
    const budget = skewedAndFlat();
    // Start with most memory in the skewed tier, where extra entries are worth little.
    const r = budget.rebalance({ skewed: 15_000, flat: 5_000 });
    expect(r.from).toBe('skewed');
    expect(r.to).toBe('flat');
    expect(r.sizes).toEqual({ skewed: 14_000, flat: 6_000 });
    expect(r.expectedHitGain).toBeGreaterThan(0);
    // Starved skewed tier: memory goes back to it.
    const back = budget.rebalance({ skewed: 100, flat: 19_900 });
    expect(back.to).toBe('skewed');
  });

  it('with maxSteps, moves several steps at once when the larger move is worth more', () => {
    const one = skewedAndFlat().rebalance({ skewed: 15_000, flat: 5_000 });
    const budget = skewedAndFlat(4);
    const many = budget.rebalance({ skewed: 15_000, flat: 5_000 });
    expect(one.sizes).toEqual({ skewed: 14_000, flat: 6_000 });
    // far from the best split: the largest allowed move is worth most, in whole steps
    expect(many.sizes).toEqual({ skewed: 11_000, flat: 9_000 });
    expect(many.expectedHitGain).toBeGreaterThan(one.expectedHitGain);
    // it picks the number of steps, not always the most: from either side it stops at the same split
    expect(budget.rebalance({ skewed: 6_000, flat: 14_000 }).sizes).toEqual({ skewed: 3_000, flat: 17_000 });
    expect(budget.rebalance({ skewed: 2_000, flat: 18_000 }).sizes).toEqual({ skewed: 3_000, flat: 17_000 });
    expect(() => skewedAndFlat(0)).toThrow(RangeError);
    expect(() => skewedAndFlat(1.5)).toThrow(RangeError);
  });

  it('proposes nothing when no move gains more than it loses', () => {
    const budget = new CacheBudget({
      budgetBytes: 1000,
      tiers: [
        { name: 'x', bytesPerEntry: 10 },
        { name: 'y', bytesPerEntry: 10 },
      ],
    });
    expect(budget.rebalance({ x: 50, y: 50 }).from).toBeUndefined();
  });
});

describe('CacheBudget.shifted (popularity shift seen in the real outcomes)', () => {
  /** Two real LRU caches (a: 160 entries, b: 40) fed with their outcomes, like an app does. */
  const setup = () => {
    const sizes = { a: 160, b: 40 };
    const budget = new CacheBudget({
      budgetBytes: 200,
      tiers: [
        { name: 'a', bytesPerEntry: 1, sizes: [160] },
        { name: 'b', bytesPerEntry: 1, sizes: [40] },
      ],
      samplingRate: 1,
    });
    const lrus = { a: new Map<string, true>(), b: new Map<string, true>() };
    const access = (tier: 'a' | 'b', key: string) => {
      const m = lrus[tier];
      const hit = m.has(key);
      if (hit) m.delete(key);
      else if (m.size >= sizes[tier]) m.delete(m.keys().next().value!);
      m.set(key, true);
      budget.record(tier, key, hit);
    };
    const r = mulberry32(3);
    let generation = 0;
    const drawA = zipf(160, 0.3, 4);
    const drawB = zipf(5000, 0.9, 5);
    /** One access of either tier (half each) under the popularity of `generation`. */
    const step = () => {
      if (r() < 0.5) access('a', `a${generation}-${drawA()}`);
      else access('b', `b${generation}-${drawB()}`);
    };
    return { budget, sizes, step, shift: () => generation++ };
  };

  it('stays quiet while the popularity holds, names the tier within a few dozen accesses once it shifts', () => {
    const { budget, sizes, step, shift } = setup();
    let alarms = 0;
    for (let i = 1; i <= 20_000; i++) {
      step();
      if (i % 25 === 0) {
        if (budget.shifted(sizes)) alarms++;
        // the app ages the curves once per control interval
        if (i % 1000 === 0) budget.age(0.5);
      }
    }
    expect(alarms).toBe(0);
    // an interval ends just as the popularity shifts, and the app ages the curves hard: the detector's
    // reference is the curves as they were at that interval's end, not what the new misses drag them to
    budget.age(0.05);
    shift();
    let after = 0;
    let seen = budget.shifted(sizes);
    while (!seen && after < 500) {
      step();
      after++;
      seen = budget.shifted(sizes);
    }
    // tier a (160 keys in 160 entries) hit 99.9% of the time: a handful of misses among its last 16 accesses
    expect(after).toBeLessThanOrEqual(30);
    expect(seen).toMatchObject({ tier: 'a', size: 160, n: 16 });
    expect(seen!.hits).toBeLessThanOrEqual(12);
    expect(seen!.expected).toBeGreaterThan(0.9);
    expect(seen!.pValue).toBeLessThan(1e-6 / 3);
  });

  it('forget() drops the curves’ counts: no verdict until they have history again', () => {
    const { budget, sizes, step, shift } = setup();
    for (let i = 0; i < 5000; i++) step();
    // no reference before the first interval's end
    shift();
    for (let i = 0; i < 100; i++) step();
    expect(budget.shifted(sizes)).toBeUndefined();
    budget.age(0.5);
    shift();
    for (let i = 0; i < 100; i++) step();
    expect(budget.shifted(sizes)).toBeDefined();
    budget.forget();
    expect(budget.curve('a')!.accesses).toBe(0);
    expect(budget.shifted(sizes)).toBeUndefined();
    // the new popularity becomes the history: still no alarm
    for (let i = 1; i <= 5000; i++) {
      step();
      if (i % 1000 === 0) budget.age(0.5);
      expect(budget.shifted(sizes)).toBeUndefined();
    }
    expect(budget.curve('a')!.hitRatio(160)).toBeGreaterThan(0.9);
  });

  it('keeps no outcomes with shiftDetection: false', () => {
    const budget = new CacheBudget({
      budgetBytes: 10,
      tiers: [{ name: 'a', bytesPerEntry: 1 }],
      samplingRate: 1,
      shiftDetection: false,
    });
    for (let i = 0; i < 500; i++) budget.record('a', `k${i % 3}`, true);
    for (let i = 0; i < 100; i++) budget.record('a', `new${i}`, false);
    expect(budget.shifted({ a: 5 })).toBeUndefined();
  });
});
