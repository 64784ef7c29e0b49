import fc from 'fast-check';
import { PoolSizer, poolSize } from '../src/index.js';

describe('poolSize (Little’s law)', () => {
  it('is ceil(rate * hold * (1 + headroom))', () => {
    expect(poolSize({ rate: 10, holdSeconds: 0.3, headroom: 0.2 })).toBe(4);
    expect(poolSize({ rate: 50, holdSeconds: 0.2, headroom: 0.25 })).toBe(13); // 12.5 -> 13
    expect(poolSize({ rate: 50, holdSeconds: 0.2, headroom: 0.25, max: 12 })).toBe(12);
    expect(poolSize({ rate: 0, holdSeconds: 1, min: 2 })).toBe(2);
  });

  it('property: matches the formula within bounds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, hold, headroom) => {
          const size = poolSize({ rate, holdSeconds: hold, headroom, min: 1, max: 100_000 });
          const exact = rate * hold * (1 + headroom);
          expect(size).toBeGreaterThanOrEqual(Math.max(1, Math.min(100_000, Math.ceil(exact - 1e-6))));
          expect(size).toBeLessThanOrEqual(Math.max(1, Math.ceil(exact)));
        },
      ),
    );
  });

  it('PoolSizer smooths its inputs', () => {
    const s = new PoolSizer({ headroom: 0.2, alpha: 0.5 });
    expect(s.update(10, 1)).toBe(12);
    expect(s.update(30, 1)).toBe(24); // rate EWMA 20
  });
});
