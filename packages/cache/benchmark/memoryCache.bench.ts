import { defineSuite } from '@hp/bench';
import { LRUCache } from 'lru-cache';
import { MemoryCache } from '../src/index.js';
import { InsertFloor } from './insertFloor.js';

const N = 10_000;
const BATCH = 1000;
const keys = Array.from({ length: N }, (_, i) => `key:${i}`);
// A fixed pseudo-random read order, the same for both caches.
const order = Array.from({ length: BATCH * 16 }, (_, i) => keys[(i * 7919) % N]!);

function filled<T extends { set(k: string, v: number): unknown }>(c: T): T {
  for (let i = 0; i < N; i++) c.set(keys[i]!, i);
  return c;
}

/*
 * Every cache gets read and write loops of its own (`readLru`, `readTiny`, ...), not one loop shared
 * through a parameter: closures made from one function literal share V8's type feedback, so a shared
 * loop's `c.get` call sees several cache classes, turns polymorphic, and slows every cache behind it,
 * lru-cache most (a shared loop measured W-TinyLFU gets at 0.94-1.11x lru-cache where separate loops,
 * as a program using one cache has, measure 0.73-0.77x: benchmark/RESULTS.md, 28 Nov).
 */
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
    const nextRead = () => {
      const start = pos;
      pos = (pos + BATCH) % order.length;
      return start;
    };
    const readLru = () => {
      let sum = 0;
      const start = nextRead();
      for (let i = 0; i < BATCH; i++) sum += lru.get(order[start + i]!)!;
      return sum;
    };
    const readOursLru = () => {
      let sum = 0;
      const start = nextRead();
      for (let i = 0; i < BATCH; i++) sum += oursLru.get(order[start + i]!)!;
      return sum;
    };
    const readTiny = () => {
      let sum = 0;
      const start = nextRead();
      for (let i = 0; i < BATCH; i++) sum += oursTiny.get(order[start + i]!)!;
      return sum;
    };
    const readTinyLossy = () => {
      let sum = 0;
      const start = nextRead();
      for (let i = 0; i < BATCH; i++) sum += oursTinyLossy.get(order[start + i]!)!;
      return sum;
    };
    // set with eviction: caches of 1,000 entries fed a stream of 100,000 distinct keys
    const SMALL = 1000;
    const stream = Array.from({ length: 100_000 }, (_, i) => `s:${i}`);
    const lruSmall = new LRUCache<string, number>({ max: SMALL });
    const oursLruSmall = new MemoryCache<string, number>({ max: SMALL, policy: 'lru' });
    const oursTinySmall = new MemoryCache<string, number>({ max: SMALL, policy: 'w-tinylfu' });
    const floorSmall = new InsertFloor<string, number>(SMALL, 1);
    // the floor must stay a bounded map of the keys it holds, or its figure means nothing
    const probe = new InsertFloor<string, number>(8, 1);
    for (let i = 0; i < 100; i++) probe.set(`p:${i}`, i);
    if (probe.size !== 8 || !probe.has('p:99')) {
      throw new Error(
        `InsertFloor(8) holds ${probe.size} entries after 100 sets, the newest: ${probe.has('p:99')}`,
      );
    }
    let spos = 0;
    const nextWrite = () => {
      const start = spos;
      spos = (spos + BATCH) % stream.length;
      return start;
    };
    const writeLru = () => {
      const start = nextWrite();
      for (let i = 0; i < BATCH; i++) lruSmall.set(stream[start + i]!, i);
    };
    const writeOursLru = () => {
      const start = nextWrite();
      for (let i = 0; i < BATCH; i++) oursLruSmall.set(stream[start + i]!, i);
    };
    const writeTiny = () => {
      const start = nextWrite();
      for (let i = 0; i < BATCH; i++) oursTinySmall.set(stream[start + i]!, i);
    };
    const writeFloor = () => {
      const start = nextWrite();
      for (let i = 0; i < BATCH; i++) floorSmall.set(stream[start + i]!, i);
    };
    const lruGets = { name: 'lru-cache', fn: readLru };
    const lruSets = { name: 'lru-cache', fn: writeLru };
    return [
      { name: 'get hit (lru policy)', opsPerCall: BATCH, ours: readOursLru, peer: lruGets },
      { name: 'get hit (w-tinylfu policy)', opsPerCall: BATCH, ours: readTiny, peer: lruGets },
      {
        name: 'get hit (w-tinylfu policy, lossyReads: true)',
        opsPerCall: BATCH,
        ours: readTinyLossy,
        peer: lruGets,
      },
      { name: 'set with eviction (lru policy)', opsPerCall: BATCH, ours: writeOursLru, peer: lruSets },
      { name: 'set with eviction (w-tinylfu policy)', opsPerCall: BATCH, ours: writeTiny, peer: lruSets },
      {
        // not a cache: the least work any W-TinyLFU set does (Map, key hash, sketch, admission);
        // benchmark/insertFloor.ts says what it leaves out
        name: 'set with eviction (w-tinylfu floor: Map + hash + sketch + admission only)',
        opsPerCall: BATCH,
        ours: writeFloor,
        peer: lruSets,
      },
    ];
  },
});
