import fc from 'fast-check';
import { CacheError, type DisposeReason, MemoryCache, type PolicyName } from '../src/index.js';

const POLICIES: PolicyName[] = ['lru', 'lfu', 'w-tinylfu'];

describe('MemoryCache', () => {
  it('validates options and names the bad one', () => {
    expect(() => new MemoryCache({})).toThrow(CacheError);
    expect(() => new MemoryCache({})).toThrow(/max/);
    expect(() => new MemoryCache({ max: 10, maxBytes: 100 })).toThrow(/sizeCalculation/);
    expect(() => new MemoryCache({ max: -1 })).toThrow(/"max"/);
    try {
      new MemoryCache({ max: 1, policy: 'fifo' as never });
    } catch (e) {
      expect((e as CacheError).code).toBe('INVALID_OPTION');
    }
  });

  it('accepts the sketch snake_case keys (max_size, default_ttl in seconds, eviction_policy)', () => {
    let now = 0;
    const c = new MemoryCache<string, number>({
      max_size: 2,
      default_ttl: 60,
      eviction_policy: 'lru_with_frequency',
      clock: () => now,
    });
    expect(c.policyName).toBe('w-tinylfu');
    c.set('a', 1);
    now = 59_999;
    expect(c.get('a')).toBe(1);
    now = 60_000;
    expect(c.get('a')).toBeUndefined();
  });

  it.each(POLICIES)('%s: get/set/delete/has/peek basics', (policy) => {
    const c = new MemoryCache<string, number>({ max: 3, policy, seed: 1 });
    expect(c.get('x')).toBeUndefined();
    c.set('x', 1);
    expect(c.get('x')).toBe(1);
    expect(c.has('x')).toBe(true);
    expect(c.peek('x')).toBe(1);
    expect(c.delete('x')).toBe(true);
    expect(c.delete('x')).toBe(false);
    expect(c.size).toBe(0);
    const s = c.stats();
    expect(s.hits).toBe(1);
    expect(s.misses).toBe(1);
    expect(s.deletes).toBe(1);
  });

  it('lru evicts the least recently used', () => {
    const c = new MemoryCache<string, number>({ max: 2, policy: 'lru' });
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect(c.has('b')).toBe(false);
    expect(c.keys()).toEqual(['c', 'a']);
  });

  it('lfu evicts the least frequently used (ties: least recent)', () => {
    const c = new MemoryCache<string, number>({ max: 2, policy: 'lfu' });
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.get('a');
    c.get('b');
    c.set('c', 3); // b (2 uses) goes, a (3) stays
    expect(c.has('b')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.frequency('a')).toBe(3);
  });

  it('w-tinylfu keeps a popular set through a one-time scan', () => {
    const c = new MemoryCache<number, number>({ max: 100, policy: 'w-tinylfu', seed: 7 });
    for (let round = 0; round < 20; round++)
      for (let k = 0; k < 80; k++) if (c.get(k) === undefined) c.set(k, k);
    for (let k = 1000; k < 11_000; k++) if (c.get(k) === undefined) c.set(k, k);
    let kept = 0;
    for (let k = 0; k < 80; k++) if (c.has(k)) kept++;
    expect(kept).toBeGreaterThanOrEqual(60);
    const lru = new MemoryCache<number, number>({ max: 100, policy: 'lru' });
    for (let round = 0; round < 20; round++)
      for (let k = 0; k < 80; k++) if (lru.get(k) === undefined) lru.set(k, k);
    for (let k = 1000; k < 11_000; k++) if (lru.get(k) === undefined) lru.set(k, k);
    expect([...Array(80).keys()].filter((k) => lru.has(k))).toHaveLength(0);
  });

  it('bounds by bytes with sizeCalculation and refuses an entry larger than maxBytes', () => {
    const c = new MemoryCache<string, string>({
      max: 100,
      maxBytes: 10,
      sizeCalculation: (v) => v.length,
      policy: 'lru',
    });
    c.set('a', 'xxxx');
    c.set('b', 'yyyy');
    c.set('c', 'zzzz');
    expect(c.bytes).toBeLessThanOrEqual(10);
    expect(c.has('a')).toBe(false);
    expect(c.set('big', 'x'.repeat(11))).toBe(false);
    expect(c.has('big')).toBe(false);
    c.set('b', 'y');
    expect(c.bytes).toBe(5);
  });

  it('per-entry and per-tier TTL against an injected clock', () => {
    let now = 1000;
    const c = new MemoryCache<string, number>({ max: 10, ttl: 100, clock: () => now, policy: 'lru' });
    c.set('tier', 1);
    c.set('short', 2, { ttl: 10 });
    c.set('forever', 3, { ttl: 0 });
    expect(c.remainingTtl('short')).toBe(10);
    expect(c.remainingTtl('forever')).toBe(Number.POSITIVE_INFINITY);
    now += 10;
    expect(c.get('short')).toBeUndefined();
    expect(c.get('tier')).toBe(1);
    now += 90;
    expect(c.has('tier')).toBe(false);
    expect(c.get('forever')).toBe(3);
    expect(c.purgeStale()).toBe(1);
    expect(c.size).toBe(1);
  });

  it('calls dispose(key, value, reason) with every reason', () => {
    let now = 0;
    const seen: Array<[string, number, DisposeReason]> = [];
    const c = new MemoryCache<string, number>({
      max: 2,
      policy: 'lru',
      clock: () => now,
      dispose: (k, v, r) => seen.push([k, v, r]),
    });
    c.set('a', 1);
    c.set('a', 2); // replaced
    c.set('b', 3);
    c.set('c', 4); // evicts a
    c.delete('b');
    c.set('d', 5, { ttl: 5 });
    now = 10;
    c.get('d'); // expired
    c.set('e', 6);
    c.clear();
    expect(seen).toEqual([
      ['a', 1, 'set'],
      ['a', 2, 'evict'],
      ['b', 3, 'delete'],
      ['d', 5, 'expire'],
      ['c', 4, 'clear'],
      ['e', 6, 'clear'],
    ]);
    expect(c.stats().evictions).toEqual({ evict: 1, expire: 1, delete: 1, set: 1, clear: 2 });
  });

  it.each(POLICIES)('%s: resize shrinks (evicting) and grows', (policy) => {
    const c = new MemoryCache<number, number>({ max: 10, policy, seed: 3 });
    for (let i = 0; i < 10; i++) c.set(i, i);
    c.resize(4);
    expect(c.size).toBe(4);
    c.resize(50);
    for (let i = 100; i < 160; i++) c.set(i, i);
    expect(c.size).toBe(50);
    for (const k of c.keys()) expect(c.get(k)).toBe(k);
  });

  it.each(POLICIES)(
    '%s: never exceeds its bounds and agrees with a Map on residents (property)',
    (policy) => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.constantFrom('get', 'set', 'delete'),
              fc.integer({ min: 0, max: 30 }),
              fc.integer({ min: 1, max: 9 }),
            ),
            {
              maxLength: 300,
            },
          ),
          (ops) => {
            const c = new MemoryCache<number, number>({
              max: 8,
              maxBytes: 40,
              sizeCalculation: (v) => v,
              policy,
              seed: 11,
            });
            const model = new Map<number, number>();
            for (const [op, k, v] of ops) {
              if (op === 'set') {
                c.set(k, v);
                model.set(k, v);
              } else if (op === 'delete') {
                c.delete(k);
                model.delete(k);
              } else {
                const got = c.get(k);
                if (got !== undefined) expect(got).toBe(model.get(k));
              }
              expect(c.size).toBeLessThanOrEqual(8);
              expect(c.bytes).toBeLessThanOrEqual(40);
              expect(c.keys()).toHaveLength(c.size);
            }
            for (const [k, v] of c.entries()) expect(model.get(k)).toBe(v);
          },
        ),
        { numRuns: 150, seed: 42 },
      );
    },
  );
});
