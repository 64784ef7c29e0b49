import fc from 'fast-check';
import { Rng, deriveSeed } from '../src/rng.js';

describe('Rng (sfc32 seeded by splitmix32)', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('keeps its sequence stable across versions (golden values)', () => {
    const r = new Rng(1);
    expect(Array.from({ length: 4 }, () => r.nextUint32())).toMatchSnapshot();
  });

  it('matches the reference sfc32 (bryc/PractRand form) from any state', () => {
    function sfc32(a: number, b: number, c: number, d: number) {
      return () => {
        a |= 0;
        b |= 0;
        c |= 0;
        d |= 0;
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        return t >>> 0;
      };
    }
    const ref = sfc32(0xdeadbeef, 0x12345678, 0x9abcdef0, 1);
    const r = new Rng(0);
    r.setState([0xdeadbeef, 0x12345678, 0x9abcdef0, 1]);
    for (let i = 0; i < 1000; i++) expect(r.nextUint32()).toBe(ref());
  });

  it('continues exactly from a saved state', () => {
    const r = new Rng(7);
    for (let i = 0; i < 100; i++) r.random();
    const state = r.getState();
    const expected = Array.from({ length: 10 }, () => r.random());
    const other = new Rng(999);
    other.setState(state);
    expect(Array.from({ length: 10 }, () => other.random())).toEqual(expected);
    expect(() => other.setState([1, 2] as never)).toThrow(TypeError);
  });

  it('draws uniform-looking doubles in [0, 1) and integers in range', () => {
    const r = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.random();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 20000).toBeGreaterThan(0.48);
    expect(sum / 20000).toBeLessThan(0.52);
    for (let i = 0; i < 1000; i++) {
      const k = r.randint(-2, 2);
      expect(k >= -2 && k <= 2 && Number.isInteger(k)).toBe(true);
    }
    expect(() => r.choice([])).toThrow(RangeError);
  });

  it('shuffle is a permutation and sample picks distinct elements', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 50 }), (seed, xs) => {
        const r = new Rng(seed);
        const shuffled = r.shuffle(xs.slice());
        expect([...shuffled].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
        const k = Math.floor(xs.length / 2);
        const idx = xs.map((_, i) => i);
        const picked = r.sample(idx, k);
        expect(new Set(picked).size).toBe(k);
      }),
    );
  });

  it('derives distinct, reproducible seeds per run', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => deriveSeed(42, i));
    expect(new Set(seeds).size).toBe(100);
    expect(deriveSeed(42, 5)).toBe(seeds[5]);
  });
});
