/** Least recently used, as a circular doubly linked list in two Int32Arrays (sentinel = last slot). */
import { type EvictionPolicy, type PolicyContext } from './evictionPolicy.js';

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly needsHash = false;
  private _next: Int32Array;
  private _prev: Int32Array;
  private _head: number;
  private _count = 0;
  private _maximum: number;
  private readonly _evict: (slot: number) => void;

  constructor(ctx: PolicyContext) {
    this._maximum = ctx.maximum;
    this._evict = ctx.evict;
    this._head = ctx.capacity;
    this._next = new Int32Array(ctx.capacity + 1);
    this._prev = new Int32Array(ctx.capacity + 1);
    this.clear();
  }

  onHit(slot: number): void {
    const next = this._next;
    const prev = this._prev;
    const h = this._head;
    if (prev[h] === slot) return;
    const p = prev[slot]!;
    const n = next[slot]!;
    next[p] = n;
    prev[n] = p;
    const last = prev[h]!;
    next[last] = slot;
    prev[slot] = last;
    next[slot] = h;
    prev[h] = slot;
  }

  onInsert(slot: number, _hash: number): void {
    if (this._count >= this._maximum) this.evictOne();
    const next = this._next;
    const prev = this._prev;
    const h = this._head;
    const last = prev[h]!;
    next[last] = slot;
    prev[slot] = last;
    next[slot] = h;
    prev[h] = slot;
    this._count++;
  }

  onRemove(slot: number): void {
    const p = this._prev[slot]!;
    const n = this._next[slot]!;
    this._next[p] = n;
    this._prev[n] = p;
    this._count--;
  }

  evictOne(): boolean {
    const victim = this._next[this._head]!;
    if (victim === this._head) return false;
    this.onRemove(victim);
    this._evict(victim);
    return true;
  }

  setMaximum(maximum: number): void {
    this._maximum = maximum;
    while (this._count > maximum && this.evictOne());
  }

  grow(capacity: number): void {
    const next = new Int32Array(capacity + 1);
    const prev = new Int32Array(capacity + 1);
    const old = this._head;
    for (let s = 0; s < old; s++) {
      next[s] = this._next[s] === old ? capacity : this._next[s]!;
      prev[s] = this._prev[s] === old ? capacity : this._prev[s]!;
    }
    next[capacity] = this._next[old] === old ? capacity : this._next[old]!;
    prev[capacity] = this._prev[old] === old ? capacity : this._prev[old]!;
    this._next = next;
    this._prev = prev;
    this._head = capacity;
  }

  order(): number[] {
    const out: number[] = [];
    for (let s = this._prev[this._head]!; s !== this._head; s = this._prev[s]!) out.push(s);
    return out;
  }

  clear(): void {
    this._next[this._head] = this._head;
    this._prev[this._head] = this._head;
    this._count = 0;
  }
}
