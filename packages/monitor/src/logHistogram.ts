/*
 * Hand-written on purpose: the in-process reader keeps one histogram per interval in a ring buffer, so it
 * needs a FIXED-size, allocation-free, mergeable layout (a plain Uint32Array slice per interval). Sketch
 * libraries (DDSketch ports, HdrHistogram) grow their stores dynamically and allocate per instance, which
 * defeats a preallocated ring. This is the DDSketch idea in its simplest form: logarithmic buckets with a
 * fixed relative accuracy between a fixed min and max, so any quantile is within `relativeAccuracy`.
 */

/** Bucket layout shared by every histogram of one family: value <-> bucket index. */
export class HistogramLayout {
  readonly relativeAccuracy: number;
  readonly min: number;
  readonly max: number;
  /** Number of buckets, including bucket 0 (values <= min) and the last one (values > max). */
  readonly size: number;
  private readonly _gamma: number;
  private readonly _logGamma: number;
  private readonly _offset: number;

  constructor(relativeAccuracy = 0.02, min = 1e-3, max = 1e7) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
      throw new RangeError('relativeAccuracy must be in (0, 1)');
    if (!(min > 0 && max > min)) throw new RangeError('need 0 < min < max');
    this.relativeAccuracy = relativeAccuracy;
    this.min = min;
    this.max = max;
    this._gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this._logGamma = Math.log(this._gamma);
    this._offset = Math.floor(Math.log(min) / this._logGamma);
    this.size = Math.ceil(Math.log(max) / this._logGamma) - this._offset + 2;
  }

  /** Bucket of a value: bucket i (1..size-2) holds (gamma^(i+offset-1), gamma^(i+offset)]. */
  index(value: number): number {
    if (!(value > this.min)) return 0;
    if (value > this.max) return this.size - 1;
    const i = Math.ceil(Math.log(value) / this._logGamma) - this._offset;
    return i < 1 ? 1 : i > this.size - 2 ? this.size - 2 : i;
  }

  /** A value representing bucket i within relativeAccuracy of every value in it. */
  value(index: number): number {
    if (index <= 0) return this.min;
    if (index >= this.size - 1) return this.max;
    return (2 * Math.pow(this._gamma, index + this._offset)) / (this._gamma + 1);
  }
}

/**
 * Quantile of counts laid out by `layout` (nearest-rank on the bucket representatives).
 * `counts` may be a view into a larger ring buffer.
 */
export function quantileOfCounts(
  layout: HistogramLayout,
  counts: ArrayLike<number>,
  total: number,
  q: number,
): number {
  if (total <= 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < layout.size; i++) {
    seen += counts[i]!;
    if (seen >= rank) return layout.value(i);
  }
  return layout.value(layout.size - 1);
}

/** A mergeable histogram with fixed memory (one Uint32Array) and relative-accuracy quantiles. */
export class LogHistogram {
  readonly layout: HistogramLayout;
  readonly counts: Uint32Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(layout: HistogramLayout = new HistogramLayout()) {
    this.layout = layout;
    this.counts = new Uint32Array(layout.size);
  }

  record(value: number, times = 1): void {
    if (!Number.isFinite(value) || times <= 0) return;
    this.counts[this.layout.index(value)]! += times;
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds another histogram of the same layout (or raw counts of that layout). */
  merge(other: LogHistogram): void {
    if (other.layout.size !== this.layout.size)
      throw new RangeError('cannot merge histograms of different layouts');
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** q in [0, 1]; NaN when empty. Clamped to the exact min and max seen. */
  quantile(q: number): number {
    const v = quantileOfCounts(this.layout, this.counts, this.count, q);
    if (Number.isNaN(v)) return v;
    return Math.min(this.max, Math.max(this.min, v));
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}
