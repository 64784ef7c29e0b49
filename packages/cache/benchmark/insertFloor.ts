import { FrequencySketch, hashKey } from '../src/index.js';

/**
 * The floor of a W-TinyLFU insert into a full cache, measured beside the real policy by the
 * "set with eviction" cases: the work that any W-TinyLFU cache indexed by a JavaScript `Map` has to
 * do for a new key, and nothing else.
 *
 * Per new key: the `Map` lookup that finds it absent, the seeded key hash, the sketch position and
 * one count-min increment (TinyLFU counts every access), the `Map` insert; then the admission: the
 * previous new key (a window of one entry) is the candidate against the oldest entry of the main
 * area (a FIFO ring), their two sketch estimates are read, and the loser leaves the `Map`.
 *
 * Not done here, and done by `MemoryCache` with `policy: 'w-tinylfu'`: window and segment lists
 * (probation / protected), the hill climber, hits held back per entry, TTLs, byte bounds,
 * statistics, dispose callbacks, the hash-flooding guard. Whatever this floor measures against
 * lru-cache is therefore an upper bound for a W-TinyLFU set in this runtime.
 */
export class InsertFloor<K, V> {
  private readonly _map = new Map<K, number>();
  private readonly _keys: (K | undefined)[];
  private readonly _values: (V | undefined)[];
  private readonly _spread: Int32Array;
  private readonly _counter: Int32Array;
  /** main area, oldest first from `_head` */
  private readonly _ring: Int32Array;
  private _head = 0;
  private _ringSize = 0;
  private readonly _free: number[] = [];
  private _used = 0;
  /** the newest key's slot: the next candidate */
  private _window = -1;
  private readonly _sketch: FrequencySketch;

  constructor(
    private readonly _max: number,
    private readonly _seed: number,
  ) {
    this._keys = new Array<K | undefined>(_max + 1);
    this._values = new Array<V | undefined>(_max + 1);
    this._spread = new Int32Array(_max + 1);
    this._counter = new Int32Array(_max + 1);
    this._ring = new Int32Array(_max);
    this._sketch = new FrequencySketch(_max, _seed);
  }

  get size(): number {
    return this._map.size;
  }

  has(key: K): boolean {
    return this._map.has(key);
  }

  set(key: K, value: V): void {
    const existing = this._map.get(key);
    if (existing !== undefined) {
      this._values[existing] = value;
      return;
    }
    const sketch = this._sketch;
    const slot = this._free.length > 0 ? this._free.pop()! : this._used++;
    const hash = hashKey(key, this._seed);
    const spread = sketch.spread(hash);
    const counter = sketch.counterHash(hash);
    sketch.incrementSpread(spread, counter);
    this._spread[slot] = spread;
    this._counter[slot] = counter;
    this._keys[slot] = key;
    this._values[slot] = value;
    this._map.set(key, slot);
    const candidate = this._window;
    this._window = slot;
    if (candidate < 0) return;
    if (this._ringSize < this._max - 1) {
      this._ring[(this._head + this._ringSize++) % this._ring.length] = candidate;
      return;
    }
    const victim = this._ring[this._head]!;
    const admit =
      sketch.frequencySpread(this._spread[candidate]!, this._counter[candidate]!) >
      sketch.frequencySpread(this._spread[victim]!, this._counter[victim]!);
    let out = candidate;
    if (admit) {
      out = victim;
      // the candidate takes the victim's place as the newest entry of the ring
      this._ring[this._head] = candidate;
      this._head = this._head + 1 === this._ring.length ? 0 : this._head + 1;
    }
    this._map.delete(this._keys[out]!);
    this._keys[out] = undefined;
    this._values[out] = undefined;
    this._free.push(out);
  }
}
