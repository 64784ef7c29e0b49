/**
 * Least frequently used (in-cache counts, ties broken by least recent access) as an indexed binary
 * min-heap over typed arrays: O(log n) per access, no per-entry objects.
 */
import { type EvictionPolicy, type PolicyContext, growInt32 } from './evictionPolicy.js';

export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu' as const;
  readonly needsHash = false;
  private _heap: Int32Array;
  private _pos: Int32Array;
  private _freq: Float64Array;
  private _tick: Float64Array;
  private _clock = 0;
  private _count = 0;
  private _maximum: number;
  private readonly _evict: (slot: number) => void;

  constructor(ctx: PolicyContext) {
    this._maximum = ctx.maximum;
    this._evict = ctx.evict;
    this._heap = new Int32Array(ctx.capacity);
    this._pos = new Int32Array(ctx.capacity);
    this._freq = new Float64Array(ctx.capacity);
    this._tick = new Float64Array(ctx.capacity);
  }

  private _less(a: number, b: number): boolean {
    const fa = this._freq[a]!;
    const fb = this._freq[b]!;
    return fa < fb || (fa === fb && this._tick[a]! < this._tick[b]!);
  }

  private _up(i: number): void {
    const heap = this._heap;
    const pos = this._pos;
    const s = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this._less(s, p)) break;
      heap[i] = p;
      pos[p] = i;
      i = parent;
    }
    heap[i] = s;
    pos[s] = i;
  }

  private _down(i: number): void {
    const heap = this._heap;
    const pos = this._pos;
    const n = this._count;
    const s = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this._less(heap[c + 1]!, heap[c]!)) c++;
      const child = heap[c]!;
      if (!this._less(child, s)) break;
      heap[i] = child;
      pos[child] = i;
      i = c;
    }
    heap[i] = s;
    pos[s] = i;
  }

  onHit(slot: number): void {
    this._freq[slot]!++;
    this._tick[slot] = ++this._clock;
    this._down(this._pos[slot]!);
  }

  onInsert(slot: number, _hash: number): void {
    if (this._count >= this._maximum) this.evictOne();
    this._freq[slot] = 1;
    this._tick[slot] = ++this._clock;
    const i = this._count++;
    this._heap[i] = slot;
    this._pos[slot] = i;
    this._up(i);
  }

  onRemove(slot: number): void {
    const i = this._pos[slot]!;
    const last = --this._count;
    if (i === last) return;
    const moved = this._heap[last]!;
    this._heap[i] = moved;
    this._pos[moved] = i;
    this._down(i);
    this._up(this._pos[moved]!);
  }

  evictOne(): boolean {
    if (this._count === 0) return false;
    const victim = this._heap[0]!;
    this.onRemove(victim);
    this._evict(victim);
    return true;
  }

  /** Access count of a resident slot (for tier promotion and tests). */
  frequency(slot: number): number {
    return this._freq[slot]!;
  }

  setMaximum(maximum: number): void {
    this._maximum = maximum;
    while (this._count > maximum && this.evictOne());
  }

  grow(capacity: number): void {
    this._heap = growInt32(this._heap, capacity);
    this._pos = growInt32(this._pos, capacity);
    const f = new Float64Array(capacity);
    f.set(this._freq.subarray(0, Math.min(capacity, this._freq.length)));
    this._freq = f;
    const t = new Float64Array(capacity);
    t.set(this._tick.subarray(0, Math.min(capacity, this._tick.length)));
    this._tick = t;
  }

  order(): number[] {
    const slots = Array.from(this._heap.subarray(0, this._count));
    return slots.sort((a, b) => (this._less(a, b) ? 1 : -1));
  }

  clear(): void {
    this._count = 0;
  }
}
