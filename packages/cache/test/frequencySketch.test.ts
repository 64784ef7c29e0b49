import fc from 'fast-check';
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

  it('addSpread(k) does what k single increments do for an item, capped at 15; countSamples ages the table', () => {
    const h = hashKey('item', 7);
    for (let start = 0; start <= 15; start++) {
      for (let k = 1; k <= 8; k++) {
        const one = new FrequencySketch(64, 7);
        const batch = new FrequencySketch(64, 7);
        for (let i = 0; i < start; i++) {
          one.increment(h);
          batch.increment(h);
        }
        for (let i = 0; i < k; i++) one.increment(h);
        batch.addSpread(batch.spread(h), batch.counterHash(h), k);
        expect(batch.frequency(h)).toBe(Math.min(15, start + k));
        expect(batch.frequency(h)).toBe(one.frequency(h));
      }
    }
    const aged = new FrequencySketch(16, 1);
    for (let i = 0; i < 12; i++) aged.increment(h);
    aged.countSamples(aged.sampleSize);
    expect(aged.resets).toBe(1);
    expect(aged.frequency(h)).toBe(6);
  });

  it('after addSpread(k) an item reads its previous estimate plus k, capped at 15, whatever collides with it', () => {
    // what W-TinyLFU's admission reads for an entry that still holds k hits back, without writing
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 400 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (others, item, k) => {
          const s = new FrequencySketch(16, 5);
          for (const o of others) s.increment(hashKey(o, 5));
          const h = hashKey(item, 5);
          const before = s.frequency(h);
          s.addSpread(s.spread(h), s.counterHash(h), k);
          expect(s.frequency(h)).toBe(Math.min(15, before + k));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('calls beforeHalving just before it halves the counters', () => {
    const s = new FrequencySketch(16, 1);
    const h = hashKey('held', 1);
    const seen: number[] = [];
    s.beforeHalving = () => {
      seen.push(s.frequency(h));
      s.addSpread(s.spread(h), s.counterHash(h), 8); // a cache adding what it held back
    };
    for (let i = 0; i < 4; i++) s.increment(h);
    s.countSamples(s.sampleSize);
    expect(seen).toEqual([4]);
    expect(s.resets).toBe(1);
    expect(s.frequency(h)).toBe(6); // (4 + 8) / 2: the held-back hits were aged with the rest
  });
});
