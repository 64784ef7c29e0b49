/**
 * Acquire-wait histogram in plain fields: recording is a short scan over fixed bucket bounds (no
 * allocation, no OpenTelemetry call), so it can sit on the acquire hot path. Percentiles are estimated
 * by linear interpolation inside a bucket. Hand-written because the OpenTelemetry API has no
 * asynchronous histogram and a synchronous one costs more than a pooled acquire.
 */

/** Upper bounds of the buckets, in milliseconds; the last bucket is unbounded. */
export const WAIT_BUCKETS_MS: readonly number[] = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
];

export interface HistogramSnapshot {
  /** Bucket upper bounds (ms); `counts` has one more entry, for values above the last bound. */
  bounds: readonly number[];
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

export class WaitHistogram {
  private readonly _counts: number[] = new Array<number>(WAIT_BUCKETS_MS.length + 1).fill(0);
  private _count = 0;
  private _sum = 0;
  private _max = 0;

  record(ms: number): void {
    const bounds = WAIT_BUCKETS_MS;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this._counts[i]!++;
    this._count++;
    this._sum += ms;
    if (ms > this._max) this._max = ms;
  }

  get count(): number {
    return this._count;
  }

  snapshot(): HistogramSnapshot {
    return {
      bounds: WAIT_BUCKETS_MS,
      counts: this._counts.slice(),
      count: this._count,
      sumMs: this._sum,
      maxMs: this._max,
    };
  }

  /** Estimated q-quantile (0..1) in ms of everything recorded so far. */
  percentile(q: number): number {
    return percentileOf(this._counts, q, this._max);
  }
}

/** Estimated q-quantile (0..1) in ms from bucket counts (e.g. the difference of two snapshots). */
export function percentileOf(counts: readonly number[], q: number, maxMs = Infinity): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return 0;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = i === 0 ? 0 : WAIT_BUCKETS_MS[i - 1]!;
      const hi = i < WAIT_BUCKETS_MS.length ? WAIT_BUCKETS_MS[i]! : Math.max(lo, maxMs);
      const value = lo + ((rank - seen) / c) * (hi - lo);
      return Math.min(value, maxMs);
    }
    seen += c;
  }
  return Math.min(WAIT_BUCKETS_MS[WAIT_BUCKETS_MS.length - 1]!, maxMs);
}
