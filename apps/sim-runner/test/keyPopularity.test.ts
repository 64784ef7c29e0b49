import { CatalogCaches, KeyCatalog } from '../src/keyPopularity.js';

const request = (text: string) => ({
  model: 'm',
  temperature: 0,
  maxTokens: 10,
  messages: [{ role: 'user' as const, content: text }],
});

describe('KeyCatalog', () => {
  it('is inactive until a popularity is set, then draws kinds by share, reproducibly', () => {
    const draw = (seed: number) => {
      const c = new KeyCatalog(seed);
      expect(c.active).toBe(false);
      c.shift({ a: { share: 3, keys: 10, zipf: 1 }, b: { share: 1, keys: 1000, zipf: 0.5 } });
      return Array.from({ length: 4000 }, () => c.next());
    };
    const xs = draw(1);
    expect(draw(1)).toEqual(xs);
    expect(draw(2)).not.toEqual(xs);
    const a = xs.filter((x) => x.kind === 'a');
    expect(a.length / xs.length).toBeGreaterThan(0.7);
    expect(a.length / xs.length).toBeLessThan(0.8);
    // A small skewed catalogue repeats its keys; a large flat one mostly does not.
    expect(new Set(a.map((x) => x.situation)).size).toBeLessThanOrEqual(10);
    const b = xs.filter((x) => x.kind === 'b');
    expect(new Set(b.map((x) => x.situation)).size).toBeGreaterThan(b.length / 3);
  });

  it('uses keys never seen before after a shift', () => {
    const c = new KeyCatalog(1);
    c.shift({ a: { share: 1, keys: 5, zipf: 1 } });
    const before = new Set(Array.from({ length: 100 }, () => c.next().situation));
    c.shift({ a: { share: 1, keys: 5, zipf: 1 } });
    expect(c.generation).toBe(2);
    const after = Array.from({ length: 100 }, () => c.next().situation);
    expect(after.some((s) => before.has(s))).toBe(false);
    expect(() => c.shift({ a: { share: 0, keys: 5, zipf: 1 } })).toThrow(RangeError);
  });
});

/** Caches of kinds a and b sharing 10 entries (2 and 8 at the start), closed after `body`. */
async function withCaches(body: (caches: CatalogCaches) => Promise<void>): Promise<void> {
  const caches = new CatalogCaches({ kinds: ['a', 'b'], budget: 10, initial: { a: 2, b: 8 }, seed: 1 });
  try {
    await body(caches);
  } finally {
    await caches.close();
  }
}

describe('CatalogCaches', () => {
  it('answers repeats from the kind’s cache, resizes through its knob and feeds the budget’s curves', async () => {
    await withCaches(async (caches) => {
      let calls = 0;
      const call = () => Promise.resolve({ n: ++calls });
      expect((await caches.complete('a', request('x'), call)).cached).toBe(false);
      expect(await caches.complete('a', request('x'), call)).toEqual({ value: { n: 1 }, cached: true });
      // a holds 2 entries: a third key evicts the least recently used one.
      await caches.complete('a', request('y'), call);
      await caches.complete('a', request('z'), call);
      expect((await caches.complete('a', request('x'), call)).cached).toBe(false);
      expect(caches.hits).toBe(1);
      expect(caches.misses).toBe(4);
      expect(caches.sizes()).toEqual({ a: 2, b: 8 });
      const knob = caches.knobs.a!;
      expect(knob).toMatchObject({ name: 'cache.a.entries', min: 1, max: 9 });
      await knob.set(6);
      expect(caches.sizes().a).toBe(6);
      await caches.knobs.b!.set(4);
      expect(caches.budget.curve('a')!.accesses).toBe(5);
      await expect(caches.complete('c', request('x'), call)).rejects.toThrow(RangeError);
      expect(() => new CatalogCaches({ kinds: ['a', 'b'], budget: 3, seed: 1 })).toThrow(RangeError);
    });
  });

  it('moves room to a grown cache one entry per miss, so the shrunk one keeps its entries until then', async () => {
    await withCaches(async (caches) => {
      const call = () => Promise.resolve('answer');
      for (let i = 0; i < 8; i++) await caches.complete('b', request(`b${i}`), call);
      await caches.knobs.a!.set(6);
      await caches.knobs.b!.set(4);
      // the knobs read their targets at once; the bounds have not moved yet and b still answers all 8
      expect(caches.sizes()).toEqual({ a: 6, b: 4 });
      expect(caches.bounds()).toEqual({ a: 2, b: 8 });
      for (let i = 0; i < 8; i++)
        expect((await caches.complete('b', request(`b${i}`), call)).cached).toBe(true);
      // a fills its own 2 entries first, then each miss takes one entry from b: the bounds add up to 10
      const seen: Record<string, number>[] = [];
      for (let i = 0; i < 7; i++) {
        await caches.complete('a', request(`a${i}`), call);
        seen.push(caches.bounds());
      }
      expect(seen.map((b) => b.a)).toEqual([2, 2, 3, 4, 5, 6, 6]);
      expect(seen.every((b) => b.a! + b.b! === 10)).toBe(true);
      // b lost its least recently used entries, one per claim: b0..b3 are gone, b4..b7 still there
      const cached = [];
      for (let i = 7; i >= 0; i--) cached.push((await caches.complete('b', request(`b${i}`), call)).cached);
      expect(cached.slice(0, 4)).toEqual([true, true, true, true]);
      expect(caches.bounds()).toEqual({ a: 6, b: 4 });
    });
  });

  it('counts misses still in flight: concurrent misses into a full cache each claim an entry', async () => {
    await withCaches(async (caches) => {
      const now = () => Promise.resolve('answer');
      await caches.complete('a', request('a0'), now);
      await caches.complete('a', request('a1'), now);
      await caches.knobs.a!.set(6);
      await caches.knobs.b!.set(4);
      const answers: (() => void)[] = [];
      const later = () => new Promise<string>((resolve) => answers.push(() => resolve('answer')));
      const pending = [2, 3, 4, 5, 6].map((i) => caches.complete('a', request(`a${i}`), later));
      await new Promise((r) => setImmediate(r));
      // five answers on their way into a full cache of 2: four claims reach the target, the fifth finds none
      expect(answers).toHaveLength(5);
      expect(caches.bounds()).toEqual({ a: 6, b: 4 });
      for (const answer of answers) answer();
      await Promise.all(pending);
      expect(caches.bounds()).toEqual({ a: 6, b: 4 });
      // a failed call gives its in-flight count back: it claimed an entry (a is full) but inserted nothing,
      // so the next miss finds room and claims none
      await caches.knobs.a!.set(8);
      await caches.knobs.b!.set(2);
      await expect(
        caches.complete('a', request('x'), () => Promise.reject(new Error('down'))),
      ).rejects.toThrow('down');
      expect(caches.bounds()).toEqual({ a: 7, b: 3 });
      await caches.complete('a', request('y'), now);
      expect(caches.bounds()).toEqual({ a: 7, b: 3 });
    });
  });
});
