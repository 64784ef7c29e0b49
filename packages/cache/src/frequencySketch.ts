/**
 * Count-min sketch with 4-bit counters and periodic halving ("reset"), as in Caffeine's
 * FrequencySketch: the popularity estimate behind TinyLFU admission and tier promotion.
 * Hand-written because the point is the exact layout (8 nibbles per Uint32 word, 4 rows, aging),
 * which no npm package provides with a per-instance hash seed.
 *
 * Hash flooding: every index is derived from the caller's 32-bit hash mixed with this sketch's own
 * random seeds, so colliding keys cannot be precomputed from outside the process.
 */
import { mix32 } from './keyHash.js';
import { createRng } from './random.js';

const RESET_MASK = 0x77777777;
const ONE_MASK = 0x11111111;

function ceilPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function bitCount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Halves every counter; returns the number of odd counters (their lost halves). A function of its
 * own: it runs rarely, so V8 compiles its loop on stack replacement, and code after such a loop in
 * a method (field writes never seen by the interpreter) made that code deoptimize on every reset.
 */
function halve(t: Uint32Array): number {
  let odd = 0;
  for (let i = 0; i < t.length; i++) {
    const w = t[i]!;
    odd += bitCount(w & ONE_MASK);
    t[i] = (w >>> 1) & RESET_MASK;
  }
  return odd;
}

export class FrequencySketch {
  private _table: Uint32Array;
  private _mask: number;
  private _size = 0;
  private _sampleSize: number;
  private readonly _s0: number;
  private readonly _s1: number;
  private readonly _s2: number;
  /** Number of halvings done so far. */
  resets = 0;

  /** `capacity`: the number of entries the owning cache holds; `seed`: per-instance secret. */
  constructor(capacity: number, seed: number) {
    const rng = createRng(seed);
    this._s0 = rng() | 1;
    this._s1 = rng() | 1;
    this._s2 = rng() | 1;
    const words = Math.max(16, ceilPow2(Math.max(1, capacity)) * 2);
    this._table = new Uint32Array(words);
    this._mask = words - 1;
    this._sampleSize = Math.max(10, 10 * capacity);
  }

  /** Counters are grown (and reset) when the owning cache is resized. */
  ensureCapacity(capacity: number): void {
    const words = Math.max(16, ceilPow2(Math.max(1, capacity)) * 2);
    this._sampleSize = Math.max(10, 10 * capacity);
    if (words <= this._table.length) return;
    this._table = new Uint32Array(words);
    this._mask = words - 1;
    this._size = 0;
  }

  get sampleSize(): number {
    return this._sampleSize;
  }

  /**
   * Block layout (Caffeine 3): the four counters of an item live in one 64-byte block of 16 words,
   * one word group of 4 per row, so an access touches a single cache line.
   *
   * An item's position is derived from two mixes of its hash, `spread(hash)` (the block) and
   * `counterHash(hash)` (word and nibble in each row). A cache computes both once per entry and
   * calls the `*Spread` methods on its hot path, which then do no hashing at all.
   */
  spread(hash: number): number {
    return mix32(hash ^ this._s0);
  }

  counterHash(hash: number): number {
    return mix32(Math.imul(hash, this._s1) ^ this._s2);
  }

  /** Estimated frequency (0..15) of the item with this hash. */
  frequency(hash: number): number {
    return this.frequencySpread(this.spread(hash), this.counterHash(hash));
  }

  /** Counts one more occurrence of the item with this hash. */
  increment(hash: number): void {
    this.incrementSpread(this.spread(hash), this.counterHash(hash));
  }

  /** `frequency` from the item's precomputed `spread` and `counterHash`. */
  frequencySpread(spread: number, c: number): number {
    const t = this._table;
    const block = spread & this._mask & ~15;
    const v0 = (t[block + (c & 3)]! >>> (((c >>> 2) & 7) << 2)) & 15;
    const v1 = (t[block + 4 + ((c >>> 8) & 3)]! >>> (((c >>> 10) & 7) << 2)) & 15;
    const v2 = (t[block + 8 + ((c >>> 16) & 3)]! >>> (((c >>> 18) & 7) << 2)) & 15;
    const v3 = (t[block + 12 + ((c >>> 24) & 3)]! >>> (((c >>> 26) & 7) << 2)) & 15;
    let f = v0 < v1 ? v0 : v1;
    if (v2 < f) f = v2;
    return v3 < f ? v3 : f;
  }

  /**
   * `increment` from the item's precomputed `spread` and `counterHash`; halves everything after
   * `sampleSize` additions. Conservative update: only the counters equal to the current minimum
   * grow, which keeps collisions from inflating estimates (a known accuracy gain over incrementing
   * all four).
   */
  incrementSpread(spread: number, c: number): void {
    const t = this._table;
    const block = spread & this._mask & ~15;
    const w0 = block + (c & 3),
      w1 = block + 4 + ((c >>> 8) & 3),
      w2 = block + 8 + ((c >>> 16) & 3),
      w3 = block + 12 + ((c >>> 24) & 3);
    const s0 = ((c >>> 2) & 7) << 2,
      s1 = ((c >>> 10) & 7) << 2,
      s2 = ((c >>> 18) & 7) << 2,
      s3 = ((c >>> 26) & 7) << 2;
    const v0 = (t[w0]! >>> s0) & 15,
      v1 = (t[w1]! >>> s1) & 15,
      v2 = (t[w2]! >>> s2) & 15,
      v3 = (t[w3]! >>> s3) & 15;
    let min = v0 < v1 ? v0 : v1;
    if (v2 < min) min = v2;
    if (v3 < min) min = v3;
    if (min === 15) return;
    if (v0 === min) t[w0] = t[w0]! + (1 << s0);
    if (v1 === min) t[w1] = t[w1]! + (1 << s1);
    if (v2 === min) t[w2] = t[w2]! + (1 << s2);
    if (v3 === min) t[w3] = t[w3]! + (1 << s3);
    if (++this._size >= this._sampleSize) this._reset();
  }

  private _reset(): void {
    const odd = halve(this._table);
    this._size = Math.max(0, (this._size - (odd >>> 2)) >>> 1);
    this.resets++;
  }

  clear(): void {
    this._table.fill(0);
    this._size = 0;
  }
}
