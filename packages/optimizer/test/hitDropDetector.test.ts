import { HitDropDetector, mulberry32 } from '../src/index.js';

/** Feeds Bernoulli(p) outcomes; returns how many tests (one per `every` outcomes) raised a drop. */
function alarms(d: HitDropDetector, p: number, outcomes: number, seed: number, every = 8): number {
  const r = mulberry32(seed);
  let raised = 0;
  for (let i = 1; i <= outcomes; i++) {
    d.push(r() < p);
    if (i % every === 0 && d.test(p)) raised++;
  }
  return raised;
}

describe('HitDropDetector', () => {
  it('raises no alarm on stationary outcomes at their own hit ratio (5,000 tests per ratio)', () => {
    for (const p of [0.05, 0.3, 0.6, 0.95, 0.999]) {
      expect(alarms(new HitDropDetector(), p, 40_000, 1)).toBe(0);
    }
  });

  it('sees a collapse to misses within the shortest window that can show it', () => {
    const after = (p: number): number => {
      const d = new HitDropDetector();
      alarms(d, p, 1000, 2);
      for (let i = 1; i <= 200; i++) {
        d.push(false);
        if (d.test(p)) return i;
      }
      return Infinity;
    };
    // 16 misses in a row where 95% hit: p = 0.05^16 (the 16-window); where 30% hit the 32- or 64-window
    expect(after(0.95)).toBeLessThanOrEqual(16);
    expect(after(0.6)).toBeLessThanOrEqual(32);
    expect(after(0.3)).toBeLessThanOrEqual(64);
    // a tier that hits 5% of the time has no drop to show in 64 outcomes
    expect(after(0.05)).toBe(Infinity);
  });

  it('reports the window, the hits and the p-value of the drop', () => {
    const d = new HitDropDetector({ windows: [10, 20], alpha: 0.01, minDrop: 0 });
    for (let i = 0; i < 20; i++) d.push(i < 10);
    const drop = d.test(0.5)!;
    // the last 10 outcomes are misses: P(X <= 0) = 0.5^10; the 20-window (10 of 20) shows nothing
    expect(drop).toEqual({ n: 10, hits: 0, expected: 0.5, pValue: 0.5 ** 10 });
    expect(d.size).toBe(20);
    d.clear();
    expect(d.size).toBe(0);
    expect(d.test(0.5)).toBeUndefined();
  });

  it('counts only drops below (1 - minDrop) of the expected ratio, however significant', () => {
    // a cache still filling to the size its estimate is read at: 90% hits where 99.9% are expected
    const raised = (d: HitDropDetector) => {
      const r = mulberry32(3);
      let n = 0;
      for (let i = 1; i <= 8000; i++) {
        d.push(r() < 0.9);
        if (i % 8 === 0 && d.test(0.999)) n++;
      }
      return n;
    };
    expect(raised(new HitDropDetector())).toBe(0);
    expect(raised(new HitDropDetector({ minDrop: 0 }))).toBeGreaterThan(100);
  });

  it('treats a history without a miss as 99.9%, so one miss is no alarm', () => {
    const d = new HitDropDetector();
    for (let i = 0; i < 63; i++) d.push(true);
    d.push(false);
    expect(d.test(1)).toBeUndefined();
    for (let i = 0; i < 16; i++) d.push(false);
    expect(d.test(1)?.n).toBe(16);
    expect(d.test(0)).toBeUndefined();
    expect(d.test(Number.NaN)).toBeUndefined();
  });

  it('rejects bad options with a RangeError naming them', () => {
    expect(() => new HitDropDetector({ windows: [] })).toThrow(/windows/);
    expect(() => new HitDropDetector({ windows: [0, 8] })).toThrow(/windows/);
    expect(() => new HitDropDetector({ alpha: 0 })).toThrow(/alpha/);
    expect(() => new HitDropDetector({ alpha: 1 })).toThrow(/alpha/);
    expect(() => new HitDropDetector({ minDrop: 1 })).toThrow(/minDrop/);
  });
});
