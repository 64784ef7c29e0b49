import { createRng, MemoryCache, WTinyLfuPolicy } from '../src/index.js';

function policy(maximum: number) {
  const evicted: number[] = [];
  const p = new WTinyLfuPolicy({
    capacity: maximum + 1,
    maximum,
    evict: (s) => evicted.push(s),
    random: createRng(9),
    seed: 5,
  });
  return { p, evicted };
}

describe('WTinyLfuPolicy', () => {
  it('starts with a 20% window and an 80/20 protected/probation main area', () => {
    const { p } = policy(1000);
    expect(p.state()).toMatchObject({ windowMaximum: 200, protectedMaximum: 640 });
  });

  it('admits a warm candidate that loses to a hotter victim about 1 time in 128 (hash-flooding guard)', () => {
    const { p } = policy(1000);
    p.onInsert(0, 0x1234567);
    p.onInsert(1, 0x7654321);
    p.onInsert(2, 0x0badf00);
    for (let i = 0; i < 6; i++) p.sketch.increment(0x1234567); // candidate: warm (7)
    for (let i = 0; i < 20; i++) p.sketch.increment(0x7654321); // victim: hot (15)
    const admit = (c: number, v: number) =>
      (p as unknown as { _admit(c: number, v: number): boolean })._admit(c, v);
    let warm = 0;
    for (let i = 0; i < 12_800; i++) if (admit(0, 1)) warm++;
    expect(warm).toBeGreaterThan(50);
    expect(warm).toBeLessThan(160);
    // a cold candidate (frequency 1) never gets the random pass
    let cold = 0;
    for (let i = 0; i < 12_800; i++) if (admit(2, 1)) cold++;
    expect(cold).toBe(0);
    // and a more popular candidate always wins
    expect(admit(1, 0)).toBe(true);
  });

  it('moves the window size with the hit ratio (hill climbing)', () => {
    const cache = new MemoryCache<number, number>({ max: 100, policy: 'w-tinylfu', seed: 1 });
    const tiny = cache.policy as WTinyLfuPolicy;
    const start = tiny.state().windowMaximum;
    const seen = new Set<number>();
    for (let i = 0; i < 40_000; i++) {
      const key = i % 120; // a loop a little larger than the cache
      if (cache.get(key) === undefined) cache.set(key, key);
      seen.add(tiny.state().windowMaximum);
    }
    expect(seen.size).toBeGreaterThan(2);
    expect(tiny.state().windowMaximum).not.toBe(start);
    const s = tiny.state();
    expect(s.windowSize + s.probationSize + s.protectedSize).toBe(100);
  });
});
