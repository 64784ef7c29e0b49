/**
 * Online hit-ratio curve of an LRU cache, estimated by miniature caches on a spatially sampled key
 * stream (SHARDS, Waldspurger et al., FAST'15): a key is sampled when hash(key) < rate * 2^32, and a
 * cache of S entries is emulated by a mini LRU of S * rate entries fed only the sampled keys. One mini
 * cache per curve point; memory is O(sum of sizes * rate). Ratios use the SHARDS-adj correction: the
 * difference between the expected (accesses * rate) and the actual number of sampled accesses is
 * counted as hits, which removes most of the bias when a few very hot keys were (not) sampled.
 *
 * Hand-written: no maintained JS library does miniature-cache simulation (the cache libraries
 * simulate one real cache, not a curve), and the mini LRU is a few lines on top of `Map` order.
 */
export interface HitRatioCurveOptions {
  /** Cache sizes (entries) where the curve is sampled, ascending. */
  sizes: number[];
  /** Spatial sampling rate in (0, 1]; default 0.1. */
  samplingRate?: number;
  /** Hash salt (seed), so runs are reproducible and two curves can sample differently. */
  salt?: number;
}

/** FNV-1a 32-bit with a murmur3 finalizer, for uniform spatial sampling. */
export function hashKey(key: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A curve's hit ratio at `size` from its `points()` (linear between points, 0 at size 0, flat past the last). */
export function hitRatioAt(points: readonly { size: number; hitRatio: number }[], size: number): number {
  if (size <= 0) return 0;
  let prevSize = 0;
  let prevHr = 0;
  for (const p of points) {
    if (size <= p.size) return prevHr + ((p.hitRatio - prevHr) * (size - prevSize)) / (p.size - prevSize);
    prevSize = p.size;
    prevHr = p.hitRatio;
  }
  return prevHr;
}

class MiniLru {
  private readonly _map = new Map<string, true>();
  hits = 0;
  accesses = 0;
  constructor(readonly capacity: number) {}
  /** One access; true on a hit. */
  access(key: string): boolean {
    this.accesses++;
    if (this._map.has(key)) {
      this.hits++;
      this._map.delete(key);
      this._map.set(key, true);
      return true;
    }
    this._map.set(key, true);
    if (this._map.size > this.capacity) {
      const oldest = this._map.keys().next().value as string;
      this._map.delete(oldest);
    }
    return false;
  }
}

export class HitRatioCurve {
  readonly sizes: readonly number[];
  readonly samplingRate: number;
  private readonly _threshold: number;
  private readonly _salt: number;
  private readonly _caches: MiniLru[];
  private readonly _last: Uint8Array;
  private _accesses = 0;
  private _sampled = 0;

  constructor(options: HitRatioCurveOptions) {
    const sizes = [...options.sizes].filter((s) => s > 0).sort((a, b) => a - b);
    if (sizes.length === 0) throw new RangeError('HitRatioCurve needs at least one positive size');
    const rate = options.samplingRate ?? 0.1;
    if (!(rate > 0 && rate <= 1)) throw new RangeError('samplingRate must be in (0, 1]');
    this.sizes = sizes;
    this.samplingRate = rate;
    this._threshold = rate * 2 ** 32;
    this._salt = options.salt ?? 0;
    this._caches = sizes.map((s) => new MiniLru(Math.max(1, Math.round(s * rate))));
    this._last = new Uint8Array(sizes.length);
  }

  /** Accesses seen (sampled or not), after aging. */
  get accesses(): number {
    return this._accesses;
  }

  /** Feeds one access. */
  record(key: string): void {
    this._accesses++;
    if (this.samplingRate < 1 && hashKey(key, this._salt) >= this._threshold) return;
    this._sampled++;
    const last = this._last;
    for (let i = 0; i < this._caches.length; i++) last[i] = this._caches[i]!.access(key) ? 1 : 0;
  }

  /**
   * Whether the miniature cache at index `index` of `sizes` hit on the last sampled access: with
   * `samplingRate` 1 (every access sampled) exactly what an LRU cache of that size would have done.
   */
  lastHit(index: number): boolean {
    return this._last[index] === 1;
  }

  /**
   * Index in `sizes` of an exact simulation of an LRU cache of `size` entries (every key sampled and a
   * curve point at exactly that size), or -1.
   */
  exactIndex(size: number): number {
    return this.samplingRate === 1 ? this.sizes.indexOf(size) : -1;
  }

  /** Multiplies the counts by `factor` (e.g. 0.5 per interval) so the curve follows shifting popularity. */
  age(factor = 0.5): void {
    this._accesses *= factor;
    this._sampled *= factor;
    for (const c of this._caches) {
      c.hits *= factor;
      c.accesses *= factor;
    }
  }

  /** Estimated hit ratio of an LRU cache of `size` entries (linear between curve points, 0 at size 0). */
  hitRatio(size: number): number {
    return hitRatioAt(this.points(), size);
  }

  /** The curve: hit ratio at each sampled size (monotone non-decreasing by construction of the max). */
  points(): { size: number; hitRatio: number }[] {
    let best = 0;
    const expected = this._accesses * this.samplingRate;
    const adjust = expected - this._sampled;
    return this._caches.map((c, i) => {
      const hr = expected > 0 ? Math.min(1, Math.max(0, (c.hits + adjust) / expected)) : 0;
      best = Math.max(best, hr);
      return { size: this.sizes[i]!, hitRatio: best };
    });
  }
}
