import {
  beladyHits,
  denseTrace,
  loopTrace,
  parseArcTrace,
  parseKeyLines,
  phaseShiftTrace,
  scanTrace,
  simulate,
  simulateHits,
  zipfTrace,
} from '../src/index.js';

function naiveLru(keys: ArrayLike<number>, size: number): number {
  const order: number[] = [];
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const at = order.indexOf(k);
    if (at >= 0) {
      hits++;
      order.splice(at, 1);
    } else if (order.length >= size) order.shift();
    order.push(k);
  }
  return hits;
}

function naiveOpt(keys: ArrayLike<number>, size: number): number {
  const cache = new Set<number>();
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (cache.has(k)) {
      hits++;
      continue;
    }
    if (cache.size >= size) {
      let victim = -1;
      let far = -1;
      for (const c of cache) {
        let next = Number.POSITIVE_INFINITY;
        for (let j = i + 1; j < keys.length; j++)
          if (keys[j] === c) {
            next = j;
            break;
          }
        if (next > far) {
          far = next;
          victim = c;
        }
      }
      cache.delete(victim);
    }
    cache.add(k);
  }
  return hits;
}

describe('trace simulator', () => {
  it('parses ARC lines as ranges and renumbers keys densely', () => {
    const t = parseArcTrace('t', new TextEncoder().encode('10 3 0 0\n11 1 0 1\n\n500 2 0 2\n'));
    expect(Array.from(t.keys)).toEqual([0, 1, 2, 1, 3, 4]);
    expect(t.unique).toBe(5);
    expect(() => parseArcTrace('bad', new TextEncoder().encode('1 x\n'))).toThrow(/INVALID|unexpected/);
    const lines = parseKeyLines('l', 'a\nb\n\na\n');
    expect(Array.from(lines.keys)).toEqual([0, 1, 0]);
  });

  it('LRU and OPT agree with naive reference implementations', () => {
    for (const seed of [1, 2, 3]) {
      const t = zipfTrace({ accesses: 600, keys: 60, alpha: 0.8, seed });
      for (const size of [1, 5, 17]) {
        expect(simulateHits(t, size, 'lru')).toBe(naiveLru(t.keys, size));
        expect(beladyHits(t, size)).toBe(naiveOpt(t.keys, size));
      }
    }
  });

  it('OPT bounds every policy; W-TinyLFU beats LRU on a loop larger than the cache', () => {
    const t = loopTrace(120, 12_000);
    const r = simulate(t, 100);
    expect(r.results.lru).toBe(0);
    expect(r.results['w-tinylfu']!).toBeGreaterThan(30);
    for (const p of ['lru', 'lfu', 'w-tinylfu'] as const)
      expect(r.results[p]!).toBeLessThanOrEqual(r.results.opt!);
  });

  it('generators are seeded and reproducible', () => {
    expect(zipfTrace({ accesses: 100, keys: 50, alpha: 1, seed: 5 }).keys).toEqual(
      zipfTrace({ accesses: 100, keys: 50, alpha: 1, seed: 5 }).keys,
    );
    expect(scanTrace(10).unique).toBe(10);
    const shift = phaseShiftTrace({ accesses: 1000, keys: 100, alpha: 1, seed: 1 });
    expect(shift.unique).toBeGreaterThan(100);
    expect(denseTrace('d', [7, 7, 9]).unique).toBe(2);
  });
});
