import { HoltLinear } from '../src/holtLinear.js';
import { seededRandom } from './fakeClock.js';

describe('HoltLinear', () => {
  it('tracks a noiseless line exactly: forecast(h) = a + b (t + h)', () => {
    const series = Array.from({ length: 50 }, (_, t) => 3 + 2 * t);
    const h = HoltLinear.fit(series, 0.4, 0.2);
    expect(h.trend).toBeCloseTo(2, 9);
    expect(h.level).toBeCloseTo(3 + 2 * 49, 9);
    expect(h.forecast(60)).toBeCloseTo(3 + 2 * (49 + 60), 9);
    expect(h.stepsUntil(3 + 2 * 59)).toBeCloseTo(10, 9);
    expect(h.stepsUntil(0)).toBeUndefined();
  });

  it('recovers the slope of a noisy line within 5%', () => {
    const rnd = seededRandom(7);
    const series = Array.from({ length: 360 }, (_, t) => 100 + 0.5 * t + (rnd() - 0.5) * 4);
    const h = HoltLinear.fit(series, 0.2, 0.05);
    expect(Math.abs(h.trend - 0.5) / 0.5).toBeLessThan(0.05);
    expect(Math.abs(h.forecast(360) - (100 + 0.5 * 719)) / 460).toBeLessThan(0.05);
  });

  it('a flat series has no trend; NaN is skipped', () => {
    const h = HoltLinear.fit([5, 5, Number.NaN, 5, 5]);
    expect(h.count).toBe(4);
    expect(h.trend).toBe(0);
    expect(h.forecast(100)).toBe(5);
    expect(() => new HoltLinear(0, 0.5)).toThrow(RangeError);
  });
});
