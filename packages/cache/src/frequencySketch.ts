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

/**
 * Halves every counter; returns the number of odd counters (their lost halves). A function of its
 * own: it runs rarely, so V8 compiles its loop on stack replacement, and code after such a loop in
 * a method (field writes never seen by the interpreter) made that code deoptimize on every reset.
 * The odd counters are summed per nibble position over up to 15 words (`w & ONE_MASK` adds at most
 * 1 per nibble, so a nibble cannot overflow) before one bit count: the same total as counting every
 * word, for a fifteenth of the bit counts.
 */
function halve(t: Int32Array): number {
  let odd = 0;
  const n = t.length;
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + 15);
    let acc = 0;
    for (; i < end; i++) {
      const w = t[i]!;
      acc = (acc + (w & ONE_MASK)) | 0; // no carries: the bit pattern is the exact sum
      t[i] = (w >>> 1) & RESET_MASK;
    }
    odd += nibbleSum(acc);
  }
  return odd;
}

/** Sum of the eight 4-bit fields of x. */
function nibbleSum(x: number): number {
  x = (x & 0x0f0f0f0f) + ((x >>> 4) & 0x0f0f0f0f);
  return Math.imul(x, 0x01010101) >>> 24;
}

export class FrequencySketch {
  private _table: Int32Array;
  private _mask: number;
  private _size = 0;
  private _sampleSize: number;
  private readonly _s0: number;
  private readonly _s1: number;
  private readonly _s2: number;
  /** Number of halvings done so far. */
  resets = 0;
  /**
   * Called just before each halving: a cache that holds increments back (W-TinyLFU keeps an
   * entry's recent hits in its own record) adds them here, so that they are aged like the rest.
   */
  beforeHalving: (() => void) | undefined = undefined;

  /** `capacity`: the number of entries the owning cache holds; `seed`: per-instance secret. */
  constructor(capacity: number, seed: number) {
    const rng = createRng(seed);
    this._s0 = rng() | 1;
    this._s1 = rng() | 1;
    this._s2 = rng() | 1;
    const words = Math.max(16, ceilPow2(Math.max(1, capacity)) * 2);
    this._table = new Int32Array(words);
    this._mask = words - 1;
    this._sampleSize = Math.max(10, 10 * capacity);
  }

  /** Counters are grown (and reset) when the owning cache is resized. */
  ensureCapacity(capacity: number): void {
    const words = Math.max(16, ceilPow2(Math.max(1, capacity)) * 2);
    this._sampleSize = Math.max(10, 10 * capacity);
    if (words <= this._table.length) return;
    this._table = new Int32Array(words);
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
    const v0 = (t[block | (c & 3)]! >>> (c & 0x1c)) & 15;
    const v1 = (t[block | 4 | ((c >>> 8) & 3)]! >>> ((c >>> 8) & 0x1c)) & 15;
    const v2 = (t[block | 8 | ((c >>> 16) & 3)]! >>> ((c >>> 16) & 0x1c)) & 15;
    const v3 = (t[block | 12 | ((c >>> 24) & 3)]! >>> ((c >>> 24) & 0x1c)) & 15;
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
    // row i: word (c >>> 8i) & 3 of the block's i-th quarter, nibble ((c >>> 8i) >>> 2) & 7, i.e. a
    // shift of (c >>> 8i) & 0x1c bits; `|` where the low bits are known zero (no overflow checks)
    const w0 = block | (c & 3),
      w1 = block | 4 | ((c >>> 8) & 3),
      w2 = block | 8 | ((c >>> 16) & 3),
      w3 = block | 12 | ((c >>> 24) & 3);
    const s0 = c & 0x1c,
      s1 = (c >>> 8) & 0x1c,
      s2 = (c >>> 16) & 0x1c,
      s3 = (c >>> 24) & 0x1c;
    const x0 = t[w0]!,
      x1 = t[w1]!,
      x2 = t[w2]!,
      x3 = t[w3]!;
    const v0 = (x0 >>> s0) & 15,
      v1 = (x1 >>> s1) & 15,
      v2 = (x2 >>> s2) & 15,
      v3 = (x3 >>> s3) & 15;
    // branch-free minimum and "equals the minimum" flags: which counters grow is data-dependent and
    // unpredictable, so branches on it would mispredict about half the time
    let d = v0 - v1;
    const m01 = v1 + (d & (d >> 31));
    d = v2 - v3;
    const m23 = v3 + (d & (d >> 31));
    d = m01 - m23;
    const min = m23 + (d & (d >> 31));
    if (min === 15) return;
    t[w0] = (x0 + (((v0 - min - 1) >>> 31) << s0)) | 0;
    t[w1] = (x1 + (((v1 - min - 1) >>> 31) << s1)) | 0;
    t[w2] = (x2 + (((v2 - min - 1) >>> 31) << s2)) | 0;
    t[w3] = (x3 + (((v3 - min - 1) >>> 31) << s3)) | 0;
    if (++this._size >= this._sampleSize) this._reset();
  }

  /**
   * `k` conservative increments of one item applied at once, from its precomputed `spread` and
   * counter hash: every counter below `min + k` rises to it (capped at 15), which is exactly what
   * `k` single increments do when nothing else touches the item's counters in between. Not counted
   * in the reset sample: the caller counts the accesses when they happen (`countSamples`).
   */
  addSpread(spread: number, c: number, k: number): void {
    const t = this._table;
    const block = spread & this._mask & ~15;
    // row i: word (c >>> 8i) & 3 of the block's i-th quarter, nibble at shift (c >>> 8i) & 0x1c (as above)
    let min = 15;
    for (let i = 0; i < 4; i++) {
      const h = c >>> (i << 3);
      const v = (t[block | (i << 2) | (h & 3)]! >>> (h & 0x1c)) & 15;
      if (v < min) min = v;
    }
    const target = Math.min(15, min + k);
    for (let i = 0; i < 4; i++) {
      const h = c >>> (i << 3);
      const w = block | (i << 2) | (h & 3);
      const v = (t[w]! >>> (h & 0x1c)) & 15;
      if (v < target) t[w] = (t[w]! + ((target - v) << (h & 0x1c))) | 0;
    }
  }

  /** Counts `n` accesses toward the next halving (their increments are applied later by `addSpread`). */
  countSamples(n: number): void {
    this._size += n;
    if (this._size >= this._sampleSize) this._reset();
  }

  private _reset(): void {
    this.beforeHalving?.();
    const odd = halve(this._table);
    this._size = Math.max(0, (this._size - (odd >>> 2)) >>> 1);
    this.resets++;
  }

  clear(): void {
    this._table.fill(0);
    this._size = 0;
  }
}
