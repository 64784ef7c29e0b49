import { defineSuite } from '@hp/bench';
import { Cacheable } from 'cacheable';
import { LRUCache } from 'lru-cache';
import { MemoryCache, TieredCache } from '../src/index.js';

const N = 400; // fits the hot tier (500 entries), where agent_memory keys go
const BATCH = 1000;
const keys = Array.from({ length: N }, (_, i) => `agent_memory:${i}`);

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run through hp-bench (node --expose-gc)');
  gc();
  gc();
  const m = process.memoryUsage();
  // typed arrays (both caches keep their lists in them) live outside the JS heap
  return m.heapUsed + m.arrayBuffers;
}

/** Heap + array-buffer bytes per entry after filling a cache with `count` small entries (string key, number value). */
function bytesPerEntry(count: number, make: () => { set(k: string, v: number): unknown }): number {
  const before = heapUsed();
  const cache = make();
  for (let i = 0; i < count; i++) cache.set(`key:${i}`, i);
  const after = heapUsed();
  // keep the cache alive until after the measurement
  if ((cache as { size?: number }).size === -1) console.log('unreachable');
  return (after - before) / count;
}

let tiered: TieredCache<number>;
let cacheable: Cacheable;

export default defineSuite({
  name: 'tiered cache',
  before: async () => {
    tiered = new TieredCache<number>({ seed: 1 });
    cacheable = new Cacheable();
    for (let i = 0; i < N; i++) {
      await tiered.set(keys[i]!, i);
      await cacheable.set(keys[i]!, i);
    }
  },
  after: async () => {
    await tiered.close();
    await cacheable.disconnect();
  },
  cases: () => [
    {
      name: 'tiered async get, in-process hit',
      opsPerCall: BATCH,
      ours: async () => {
        let s = 0;
        for (let i = 0; i < BATCH; i++) s += (await tiered.get(keys[i % N]!))!;
        return s;
      },
      peer: {
        name: 'cacheable get',
        fn: async () => {
          let s = 0;
          for (let i = 0; i < BATCH; i++) s += (await cacheable.get<number>(keys[i % N]!))!;
          return s;
        },
      },
    },
    {
      kind: 'measured',
      name: 'memory bytes/entry, 1M small entries (w-tinylfu policy)',
      unit: 'B/entry',
      higherIsBetter: false,
      measure: () => {
        const M = 1_000_000;
        const peerValue = bytesPerEntry(M, () => new LRUCache<string, number>({ max: M }));
        const ours = bytesPerEntry(
          M,
          () => new MemoryCache<string, number>({ max: M, policy: 'w-tinylfu', seed: 1 }),
        );
        return { ours, peer: 'lru-cache', peerValue };
      },
    },
    {
      kind: 'measured',
      name: 'memory bytes/entry, 1M small entries (lru policy)',
      unit: 'B/entry',
      higherIsBetter: false,
      measure: () => {
        const M = 1_000_000;
        const peerValue = bytesPerEntry(M, () => new LRUCache<string, number>({ max: M }));
        const ours = bytesPerEntry(M, () => new MemoryCache<string, number>({ max: M, policy: 'lru' }));
        return { ours, peer: 'lru-cache', peerValue };
      },
    },
  ],
});
