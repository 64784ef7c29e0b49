import fc from 'fast-check';
import { percentileOf, WAIT_BUCKETS_MS, WaitHistogram } from '../src/index.js';

describe('WaitHistogram', () => {
  it('counts into fixed buckets and estimates percentiles inside them', () => {
    const h = new WaitHistogram();
    for (let i = 0; i < 99; i++) h.record(0.01);
    h.record(40);
    const s = h.snapshot();
    expect(s.count).toBe(100);
    expect(s.counts[0]).toBe(99);
    expect(s.maxMs).toBe(40);
    expect(h.percentile(0.5)).toBeLessThanOrEqual(0.05);
    expect(h.percentile(1)).toBeGreaterThan(25);
    expect(h.percentile(1)).toBeLessThanOrEqual(40);
    expect(percentileOf(new Array(WAIT_BUCKETS_MS.length + 1).fill(0), 0.99)).toBe(0);
  });

  it('percentile estimates are monotonic in q and never above the max (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (xs) => {
          const h = new WaitHistogram();
          xs.forEach((x) => h.record(x));
          const qs = [0, 0.5, 0.9, 0.99, 1].map((q) => h.percentile(q));
          for (let i = 1; i < qs.length; i++) expect(qs[i]!).toBeGreaterThanOrEqual(qs[i - 1]!);
          expect(qs[4]!).toBeLessThanOrEqual(Math.max(...xs) + 1e-9);
        },
      ),
      { seed: 3 },
    );
  });
});
