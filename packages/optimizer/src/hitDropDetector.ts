import jStat from 'jstat';

/** Highest reference hit ratio tested against: an estimate of 1 comes from a finite history. */
const MAX_EXPECTED = 0.999;

export interface HitDropDetectorOptions {
  /**
   * Lengths of the recent windows tested (most recent outcomes), ascending; default 16, 32, 64. A short window
   * sees a sudden collapse within a few accesses, a long one a smaller drop.
   */
  windows?: number[];
  /** Family-wise false-alarm probability of one `test` (split over the windows); default 1e-6. */
  alpha?: number;
  /**
   * Smallest drop that counts, as a share of the expected hit ratio (default 0.5: the recent hit ratio must be
   * below half of it). Significance alone is not enough: an estimate that is a little off (a cache still
   * filling to the size the estimate is read at) becomes significant over enough outcomes; a shift to new
   * keys collapses the hit ratio.
   */
  minDrop?: number;
}

export interface HitDrop {
  /** Outcomes in the window that showed the drop, and the hits among them. */
  n: number;
  hits: number;
  /** The hit ratio the outcomes were tested against. */
  expected: number;
  /** One-sided binomial p-value: P(X <= hits) with X ~ Binomial(n, expected). */
  pValue: number;
}

/**
 * Sees a cache's hits fall far below what its history predicts: keeps the most recent outcomes (a ring,
 * bounded by the longest window) and tests each window's hits against a reference hit ratio with a one-sided
 * exact binomial test (jstat), Bonferroni-corrected over the windows, counting only drops to below half the
 * reference (`minDrop`). A popularity shift to new keys shows within a few accesses (a tier that hit 95% of
 * the time misses 16 in a row: p = 1e-21); a tier that drifts, or a cache still filling, does not.
 *
 * Outcomes are not independent draws (LRU hits come in runs), so `alpha` is set far below a usual
 * confidence: at 1e-6 per test and two tests a second, independent tests would raise a false alarm on a
 * stationary tier once in about six days; successive tests share most of their outcomes, and `minDrop` asks
 * for a halving besides, so it is rarer still (none in the tests' 5,000 per hit ratio, nor in any benchmark
 * run outside a popularity shift).
 */
export class HitDropDetector {
  private readonly _windows: number[];
  private readonly _alpha: number;
  private readonly _minDrop: number;
  private readonly _ring: Uint8Array;
  private _next = 0;
  private _size = 0;

  constructor(options: HitDropDetectorOptions = {}) {
    const windows = [...(options.windows ?? [16, 32, 64])].sort((a, b) => a - b);
    if (windows.length === 0 || !windows.every((w) => Number.isInteger(w) && w >= 1)) {
      throw new RangeError(
        `HitDropDetector windows must be positive integers, got ${String(options.windows)}`,
      );
    }
    const alpha = options.alpha ?? 1e-6;
    if (!(alpha > 0 && alpha < 1))
      throw new RangeError(`HitDropDetector alpha must be in (0, 1), got ${alpha}`);
    const minDrop = options.minDrop ?? 0.5;
    if (!(minDrop >= 0 && minDrop < 1)) {
      throw new RangeError(`HitDropDetector minDrop must be in [0, 1), got ${minDrop}`);
    }
    this._windows = windows;
    this._alpha = alpha;
    this._minDrop = minDrop;
    this._ring = new Uint8Array(windows[windows.length - 1]!);
  }

  /** The longest window: most outcomes held. */
  get capacity(): number {
    return this._ring.length;
  }

  /** Outcomes held (at most the longest window). */
  get size(): number {
    return this._size;
  }

  push(hit: boolean): void {
    this._ring[this._next] = hit ? 1 : 0;
    this._next = (this._next + 1) % this._ring.length;
    this._size = Math.min(this._size + 1, this._ring.length);
  }

  clear(): void {
    this._next = 0;
    this._size = 0;
  }

  /**
   * The most significant drop below `expected` (a hit ratio in 0..1, capped at 0.999) among the full windows
   * whose hit ratio is below `expected * (1 - minDrop)`, when its p-value is below alpha / windows; else
   * undefined.
   */
  test(expected: number): HitDrop | undefined {
    if (!(expected > 0) || !(expected <= 1)) return undefined;
    const level = this._alpha / this._windows.length;
    // a history without a single miss does not make one miss impossible
    const p = Math.min(expected, MAX_EXPECTED);
    let best: HitDrop | undefined;
    let hits = 0;
    let n = 0;
    let w = 0;
    const cap = this._ring.length;
    // walk back from the newest outcome, testing each window as it is complete
    for (let i = 1; i <= this._size && w < this._windows.length; i++) {
      hits += this._ring[(this._next - i + cap) % cap]!;
      n++;
      if (n !== this._windows[w]) continue;
      w++;
      if (hits >= n * p * (1 - this._minDrop)) continue;
      const pValue = jStat.binomial.cdf(hits, n, p);
      if (pValue < level && (!best || pValue < best.pValue)) best = { n, hits, expected: p, pValue };
    }
    return best;
  }
}
