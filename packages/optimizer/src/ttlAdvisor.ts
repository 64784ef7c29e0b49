import { hashKey } from './hitRatioCurve.js';

/**
 * Cache TTL from observed reuse intervals: keys are spatially sampled (as in SHARDS), the time between
 * two accesses of a sampled key is kept in a bounded ring, and `recommend()` returns the TTL that covers
 * a quantile of reuses (0.9: 90% of re-accesses come before the entry expires), within [min, max] (max
 * = the staleness the app tolerates). `hitShare(ttl)` estimates the share of reuses a TTL keeps.
 * Hand-written for the same reason as HitRatioCurve: it is a few lines over the same sampling.
 */
export interface TtlAdvisorOptions {
  samplingRate?: number;
  /** Sampled keys remembered (oldest forgotten first); default 10 000. */
  maxKeys?: number;
  /** Reuse intervals kept; default 2000. */
  maxIntervals?: number;
  salt?: number;
}

export class TtlAdvisor {
  private readonly _last = new Map<string, number>();
  private readonly _intervals: number[] = [];
  private _next = 0;
  private readonly _threshold: number;
  private readonly _maxKeys: number;
  private readonly _maxIntervals: number;
  private readonly _salt: number;

  constructor(options: TtlAdvisorOptions = {}) {
    const rate = options.samplingRate ?? 0.1;
    if (!(rate > 0 && rate <= 1)) throw new RangeError('samplingRate must be in (0, 1]');
    this._threshold = rate * 2 ** 32;
    this._maxKeys = options.maxKeys ?? 10_000;
    this._maxIntervals = options.maxIntervals ?? 2000;
    this._salt = options.salt ?? 0;
  }

  /** Reuse intervals observed (at most `maxIntervals`). */
  get size(): number {
    return this._intervals.length;
  }

  /** Feeds one access of `key` at time `now` (any unit; the TTL comes back in the same unit). */
  record(key: string, now: number): void {
    if (hashKey(key, this._salt) >= this._threshold) return;
    const prev = this._last.get(key);
    if (prev !== undefined) {
      this._last.delete(key);
      const interval = now - prev;
      if (this._intervals.length < this._maxIntervals) this._intervals.push(interval);
      else this._intervals[this._next] = interval;
      this._next = (this._next + 1) % this._maxIntervals;
    } else if (this._last.size >= this._maxKeys) {
      this._last.delete(this._last.keys().next().value!);
    }
    this._last.set(key, now);
  }

  /** The TTL covering `quantile` of observed reuses, clamped to [min, max]; `max` when nothing was seen. */
  recommend(quantile = 0.9, min = 0, max = Infinity): number {
    if (this._intervals.length === 0) return max;
    const sorted = [...this._intervals].sort((a, b) => a - b);
    const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
    return Math.min(max, Math.max(min, sorted[idx]!));
  }

  /** Share of observed reuses that a TTL of `ttl` would still serve from the cache. */
  hitShare(ttl: number): number {
    if (this._intervals.length === 0) return 0;
    return this._intervals.filter((v) => v <= ttl).length / this._intervals.length;
  }
}
