import { FrequencySketch, hashKey } from '../src/index.js';

describe('FrequencySketch', () => {
  it('estimates counts up to 15 and halves them after the sample period', () => {
    const s = new FrequencySketch(16, 1);
    const h = hashKey('hot', 1);
    for (let i = 0; i < 20; i++) s.increment(h);
    expect(s.frequency(h)).toBe(15);
    expect(s.frequency(hashKey('cold', 1))).toBeLessThanOrEqual(1);
    for (let i = 0; i < s.sampleSize; i++) s.increment(hashKey(`k${i % 1000}`, 1));
    expect(s.resets).toBeGreaterThan(0);
    expect(s.frequency(h)).toBeLessThan(15);
  });

  it('derives indexes from a per-instance seed (hash flooding cannot target every instance)', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `flood-${i}`);
    const a = new FrequencySketch(64, 1);
    const b = new FrequencySketch(64, 2);
    for (const k of keys.slice(0, 200)) {
      a.increment(hashKey(k, 1));
      b.increment(hashKey(k, 2));
    }
    const est = (s: FrequencySketch, seed: number) =>
      keys.slice(200).map((k) => s.frequency(hashKey(k, seed)));
    expect(est(a, 1)).not.toEqual(est(b, 2));
    expect(hashKey('x', 1)).not.toBe(hashKey('x', 2));
  });
});
