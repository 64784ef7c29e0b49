import { defineSuite } from '@hp/bench';
import { LRUCache } from 'lru-cache';
import { MemoryCache } from '../src/index.js';

const N = 10_000;
const BATCH = 1000;
const keys = Array.from({ length: N }, (_, i) => `key:${i}`);
// A fixed pseudo-random read order, the same for both caches.
const order = Array.from({ length: BATCH * 16 }, (_, i) => keys[(i * 7919) % N]!);

function filled<T extends { set(k: string, v: number): unknown }>(c: T): T {
  for (let i = 0; i < N; i++) c.set(keys[i]!, i);
  return c;
}

export default defineSuite({
  name: 'memory cache',
  cases: () => {
    const lru = filled(new LRUCache<string, number>({ max: N }));
    const oursLru = filled(new MemoryCache<string, number>({ max: N, policy: 'lru' }));
    const oursTiny = filled(new MemoryCache<string, number>({ max: N, policy: 'w-tinylfu' }));
    const oursTinyLossy = filled(
      new MemoryCache<string, number>({ max: N, policy: 'w-tinylfu', lossyReads: true }),
    );
    let pos = 0;
    const hits = (c: { get(k: string): number | undefined }) => () => {
      let sum = 0;
      const start = pos;
      pos = (pos + BATCH) % order.length;
      for (let i = 0; i < BATCH; i++) sum += c.get(order[start + i]!)!;
      return sum;
    };
    // set with eviction: caches of 1,000 entries fed a stream of 100,000 distinct keys
    const SMALL = 1000;
    const stream = Array.from({ length: 100_000 }, (_, i) => `s:${i}`);
    const lruSmall = new LRUCache<string, number>({ max: SMALL });
    const oursLruSmall = new MemoryCache<string, number>({ max: SMALL, policy: 'lru' });
    const oursTinySmall = new MemoryCache<string, number>({ max: SMALL, policy: 'w-tinylfu' });
    let spos = 0;
    const sets = (c: { set(k: string, v: number): unknown }) => () => {
      const start = spos;
      spos = (spos + BATCH) % stream.length;
      for (let i = 0; i < BATCH; i++) c.set(stream[start + i]!, i);
      return start;
    };
    return [
      {
        name: 'get hit (lru policy)',
        opsPerCall: BATCH,
        ours: hits(oursLru),
        peer: { name: 'lru-cache', fn: hits(lru) },
      },
      {
        name: 'get hit (w-tinylfu policy)',
        opsPerCall: BATCH,
        ours: hits(oursTiny),
        peer: { name: 'lru-cache', fn: hits(lru) },
      },
      {
        name: 'get hit (w-tinylfu policy, lossyReads: true)',
        opsPerCall: BATCH,
        ours: hits(oursTinyLossy),
        peer: { name: 'lru-cache', fn: hits(lru) },
      },
      {
        name: 'set with eviction (lru policy)',
        opsPerCall: BATCH,
        ours: sets(oursLruSmall),
        peer: { name: 'lru-cache', fn: sets(lruSmall) },
      },
      {
        name: 'set with eviction (w-tinylfu policy)',
        opsPerCall: BATCH,
        ours: sets(oursTinySmall),
        peer: { name: 'lru-cache', fn: sets(lruSmall) },
      },
    ];
  },
});
