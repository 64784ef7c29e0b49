import { createRng, hashKey, MemoryCache, simulateHits, WTinyLfuPolicy, zipfTrace } from '../src/index.js';

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

describe('WTinyLfuPolicy read buffer', () => {
  const make = (lossyReads?: boolean) =>
    new MemoryCache<number, number>({ max: 100, policy: 'w-tinylfu', seed: 3, lossyReads });

  it('applies buffered hits in order before anything reads the order (same as lossy reads below 64 hits)', () => {
    const exact = make();
    const lossy = make(true);
    for (const c of [lossy, exact]) {
      for (let i = 0; i < 100; i++) c.set(i, i);
      for (let i = 0; i < 50; i++) c.get((i * 37) % 100);
    }
    expect(lossy.keys()).toEqual(exact.keys());
    expect(lossy.frequency(37)).toBe(exact.frequency(37));
    expect((lossy.policy as WTinyLfuPolicy).droppedReads).toBe(0);
  });

  it('applies every hit by default and the order matches applying each hit at once', () => {
    // reference: keys() after every hit drains the buffer each time
    const batched = make();
    const eager = make();
    for (const c of [batched, eager]) for (let i = 0; i < 100; i++) c.set(i, i);
    for (let i = 0; i < 1000; i++) {
      batched.get((i * 7) % 100);
      eager.get((i * 7) % 100);
      eager.keys();
    }
    expect(batched.keys()).toEqual(eager.keys());
    expect((batched.policy as WTinyLfuPolicy).droppedReads).toBe(0);
  });

  it('holds hits back in the entry and adds them to the sketch before anything reads it (frequency, admission, removal)', () => {
    const seed = 11;
    const c = new MemoryCache<string, number>({ max: 100, policy: 'w-tinylfu', seed });
    const p = c.policy as WTinyLfuPolicy;
    c.set('k', 1); // the insert counts 1
    for (let i = 0; i < 10; i++) c.get('k'); // 7 held back, then 8 added at once, then 3 held back
    expect(c.frequency('k')).toBe(11);
    for (let i = 0; i < 3; i++) c.get('k');
    c.delete('k'); // a removed key keeps its history: it competes with it when it comes back
    expect(p.sketch.frequency(hashKey('k', seed))).toBe(14);
  });

  it('lossyReads: drops 3 of every 4 hits after the first 64 of a write-free run; a write ends the run', () => {
    const lossy = make(true);
    for (let i = 0; i < 100; i++) lossy.set(i, i);
    for (let i = 0; i < 1000; i++) lossy.get(i % 100);
    // cycles of 64 recorded + 192 dropped: 3 full cycles (576 dropped), then 64 recorded + 168 dropped
    expect((lossy.policy as WTinyLfuPolicy).droppedReads).toBe(744);
    lossy.set(1000, 0); // a write: recording resumes at once
    for (let i = 0; i < 10; i++) lossy.get(i);
    expect((lossy.policy as WTinyLfuPolicy).droppedReads).toBe(744);
  });

  it('lossyReads gives the same hit ratio when misses come often (Zipf trace, small cache)', () => {
    const trace = zipfTrace({ keys: 5000, accesses: 100_000, alpha: 0.8, seed: 7 });
    expect(simulateHits(trace, 200, 'w-tinylfu', 1, true)).toBe(simulateHits(trace, 200, 'w-tinylfu', 1));
  });
});

describe('W-TinyLFU held-back hits', () => {
  it('are added to the sketch before it halves, so they are aged like the rest', () => {
    const seed = 9;
    const cache = new MemoryCache<string, number>({ max: 100, policy: 'w-tinylfu', seed });
    const policy = cache.policy as WTinyLfuPolicy;
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    for (let r = 0; r < 6; r++) cache.get('k5'); // six hits, held back in k5's record
    cache.set('other', 0); // drains the read buffer
    const h = hashKey('k5', seed);
    expect(policy.sketch.frequency(h)).toBe(1); // only its insert has reached the sketch
    const resets = policy.sketch.resets;
    for (let i = 0; policy.sketch.resets === resets; i++) cache.set(`fill${i}`, i);
    // 1 + 6 = 7 before the halving, 3 after; without the flush it would read 0 and still hold 6 back
    expect(policy.sketch.frequency(h)).toBe(3);
    expect(cache.has('k5')).toBe(true);
    expect(cache.frequency('k5')).toBe(3);
  });
});

describe('W-TinyLFU held-back hits are never lost', () => {
  it('every hit reaches the sketch: through a flush while resident, or when its entry leaves', () => {
    // no halving in this run (fewer accesses than the sample period), so the sum of the counts the
    // policy adds to the sketch must equal the number of hits once the resident entries are read
    const cache = new MemoryCache<number, number>({ max: 50, policy: 'w-tinylfu', seed: 4 });
    const policy = cache.policy as WTinyLfuPolicy;
    const sketch = policy.sketch;
    let added = 0;
    const addSpread = sketch.addSpread.bind(sketch);
    sketch.addSpread = (spread, c, k) => {
      added += k;
      addSpread(spread, c, k);
    };
    const rng = createRng(21);
    let hits = 0;
    let accesses = 0;
    while (accesses < sketch.sampleSize - 60) {
      const key = rng() % 3 === 0 ? rng() % 400 : rng() % 40; // a hot set and a long tail
      accesses++;
      if (cache.get(key) !== undefined) hits++;
      else cache.set(key, key);
    }
    expect(sketch.resets).toBe(0);
    expect(cache.stats().evictions.evict).toBeGreaterThan(100);
    expect(hits).toBeGreaterThan(200);
    for (const key of cache.keys()) cache.frequency(key); // flushes what residents still hold back
    expect(added).toBe(hits);
  });
});
