/**
 * The W-TinyLFU policy's merged main list (probation + protected split at a boundary) must make
 * exactly the decisions of the earlier two-list policy, kept verbatim in
 * test/support/referenceWTinyLfuPolicy.ts: a seeded random workload drives both through the same
 * slot harness and compares every eviction, the full order, the state and frequencies.
 */
import { createRng, type EvictionPolicy, FrequencySketch, hashKey, WTinyLfuPolicy } from '../src/index.js';
import { type PolicyContext } from '../src/evictionPolicy.js';
import { ReferenceWTinyLfuPolicy } from './support/referenceWTinyLfuPolicy.js';

type Policy = EvictionPolicy & {
  state(): unknown;
  frequency(slot: number): number;
};

/** A minimal cache around a policy: key -> slot, a free list, the evictions in order. */
function harness(make: (ctx: PolicyContext) => Policy, maximum: number, seed: number) {
  const slotOf = new Map<number, number>();
  const keyOf: number[] = [];
  const free: number[] = [];
  const evicted: number[] = [];
  let used = 0;
  let capacity = maximum + 1;
  const policy = make({
    capacity,
    maximum,
    evict: (slot) => {
      evicted.push(keyOf[slot]!);
      slotOf.delete(keyOf[slot]!);
      free.push(slot);
    },
    random: createRng(seed),
    seed,
  });
  return {
    policy,
    evicted,
    get(key: number): boolean {
      const slot = slotOf.get(key);
      if (slot === undefined) return false;
      policy.onHit(slot);
      return true;
    },
    insert(key: number): void {
      const slot = free.length > 0 ? free.pop()! : used++;
      keyOf[slot] = key;
      slotOf.set(key, slot);
      policy.onInsert(slot, hashKey(key, seed));
    },
    remove(key: number): void {
      const slot = slotOf.get(key);
      if (slot === undefined) return;
      policy.onRemove(slot);
      slotOf.delete(key);
      free.push(slot);
    },
    resize(max: number): void {
      if (max + 1 > capacity) {
        capacity = max + 1;
        policy.grow(capacity);
      }
      policy.setMaximum(max);
    },
    evictOne: () => policy.evictOne(),
    order: () => policy.order().map((s) => keyOf[s]!),
    frequencies: () =>
      [...slotOf.entries()].sort((a, b) => a[0] - b[0]).map(([key, s]) => [key, policy.frequency(s)]),
    slots: () => [...slotOf.entries()].sort((a, b) => a[0] - b[0]),
  };
}

function compare(maximum: number, seed: number, steps: number, keys: number): void {
  const ours = harness((ctx) => new WTinyLfuPolicy(ctx), maximum, seed);
  const ref = harness((ctx) => new ReferenceWTinyLfuPolicy(ctx), maximum, seed);
  const rng = createRng(seed * 7919 + 1);
  let max = maximum;
  const trace: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const r = rng() % 1000;
    // skewed keys (a hot tenth gets most accesses), with bursts of hits, deletes, resizes
    const key = rng() % 4 === 0 ? rng() % keys : rng() % Math.max(1, keys >> 3);
    if (r < 985) {
      const hit = ours.get(key);
      expect(ref.get(key)).toBe(hit);
      trace.push(hit);
      if (!hit) {
        ours.insert(key);
        ref.insert(key);
      }
    } else if (r < 995) {
      ours.remove(key);
      ref.remove(key);
    } else if (r < 998) {
      max = Math.min(maximum * 2, Math.max(1, Math.round(max * (0.6 + (rng() % 100) / 100))));
      ours.resize(max);
      ref.resize(max);
    } else {
      expect(ours.evictOne()).toBe(ref.evictOne());
    }
    if (process.env.EVERY || i % 997 === 0 || i === steps - 1) {
      if (process.env.EVERY && JSON.stringify(ours.order()) !== JSON.stringify(ref.order()))
        console.log(
          'step',
          i,
          'r',
          r,
          'key',
          key,
          'max',
          max,
          JSON.stringify(ours.policy.state()),
          JSON.stringify(ref.policy.state()),
          ours.order(),
          ref.order(),
        );
      if (process.env.EVERY && JSON.stringify(ours.order()) !== JSON.stringify(ref.order()))
        throw new Error('diverged at ' + i);
      expect(ours.order()).toEqual(ref.order());
      expect(ours.policy.state()).toEqual(ref.policy.state());
      expect(ours.frequencies()).toEqual(ref.frequencies());
      expect(ours.slots()).toEqual(ref.slots());
      expect(ours.evicted).toEqual(ref.evicted);
    }
  }
  expect(ours.evicted).toEqual(ref.evicted);
  expect(trace.some((h) => h)).toBe(true);
  expect(trace.some((h) => !h)).toBe(true);
}

describe('W-TinyLFU merged main list: the same decisions as two separate lists', () => {
  it.each([
    [10, 1],
    [50, 2],
    [200, 3],
    [1000, 4],
  ])('maximum %i, seed %i: same hits, evictions, order, state and frequencies', (maximum, seed) => {
    compare(maximum, seed, 30_000, maximum * 6);
  });

  it('a one-entry cache and a cache whose protected area is empty', () => {
    compare(1, 5, 5000, 8);
    compare(3, 6, 5000, 40);
  });
});

describe('FrequencySketch halving', () => {
  it('counts the odd counters it halves exactly as a per-word bit count does', () => {
    const rng = createRng(11);
    for (const capacity of [1, 7, 100, 5000]) {
      const sketch = new FrequencySketch(capacity, 3);
      const s = sketch as unknown as { _table: Int32Array; _size: number; _reset(): void };
      const t = s._table;
      for (let i = 0; i < t.length; i++) t[i] = rng() | 0;
      let odd = 0;
      for (let i = 0; i < t.length; i++) {
        for (let b = 0; b < 32; b += 4) odd += (t[i]! >>> b) & 1;
      }
      const halved = Array.from(t, (w) => (w >>> 1) & 0x77777777);
      s._size = 5_000_000;
      s._reset();
      expect(s._size).toBe(Math.max(0, (5_000_000 - (odd >>> 2)) >>> 1));
      expect(Array.from(s._table, (w) => w >>> 0)).toEqual(halved);
    }
  });
});
