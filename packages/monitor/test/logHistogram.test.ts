import fc from 'fast-check';
import { HistogramLayout, LogHistogram } from '../src/logHistogram.js';

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('LogHistogram', () => {
  const layout = new HistogramLayout(0.02, 1e-3, 1e7);

  it('has a fixed number of buckets', () => {
    expect(layout.size).toBeGreaterThan(100);
    expect(layout.size).toBeLessThan(700);
    expect(new LogHistogram(layout).counts.length).toBe(layout.size);
  });

  it('answers quantiles within the relative accuracy (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (values, q) => {
          const h = new LogHistogram(layout);
          for (const v of values) h.record(v);
          const exact = exactQuantile(values, q);
          const got = h.quantile(q);
          expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.02 + 1e-9);
        },
      ),
    );
  });

  it('merging equals recording everything in one histogram', () => {
    const a = new LogHistogram(layout);
    const b = new LogHistogram(layout);
    const all = new LogHistogram(layout);
    for (let i = 1; i <= 1000; i++) {
      (i % 2 ? a : b).record(i);
      all.record(i);
    }
    a.merge(b);
    expect(Array.from(a.counts)).toEqual(Array.from(all.counts));
    expect(a.count).toBe(1000);
    expect(a.quantile(0.99)).toBe(all.quantile(0.99));
    expect(a.mean()).toBeCloseTo(500.5, 6);
  });

  it('clamps out-of-range values to the edge buckets and ignores non-finite ones', () => {
    const h = new LogHistogram(layout);
    h.record(0);
    h.record(1e9);
    h.record(Number.NaN);
    expect(h.count).toBe(2);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[layout.size - 1]).toBe(1);
    h.reset();
    expect(h.quantile(0.5)).toBeNaN();
  });
});
