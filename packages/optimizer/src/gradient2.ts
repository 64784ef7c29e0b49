/**
 * Gradient2 adaptive concurrency limit, with the semantics of Netflix concurrency-limits'
 * `Gradient2Limit` (hand-written: that library exists for Java only, and no maintained Node port exists):
 *
 * - long-term RTT = exponential average over `longWindow` samples (plain average for the first 10);
 * - when the long RTT exceeds twice the short RTT (latency recovered after an overload), the long RTT
 *   decays by 5% per sample instead of waiting for the average to catch up (drift handling);
 * - no growth while app-limited (`inflight < limit / 2`);
 * - gradient = max(0.5, min(1, tolerance * longRtt / shortRtt));
 *   newLimit = limit * gradient + queueSize, smoothed: limit * (1 - smoothing) + newLimit * smoothing,
 *   clamped to [minLimit, maxLimit].
 */
export interface Gradient2Options {
  initialLimit?: number;
  minLimit?: number;
  maxLimit?: number;
  /** Weight of a new limit, default 0.2. */
  smoothing?: number;
  /** Latency growth tolerated before the limit shrinks, default 1.5. */
  rttTolerance?: number;
  /** Samples in the long-term RTT average, default 600 (per-request); use ~20-60 for per-interval samples. */
  longWindow?: number;
  /** Extra slots added each update (the queue the limit allows to build), default 4, or a function of the limit. */
  queueSize?: number | ((limit: number) => number);
}

export interface Gradient2Sample {
  /** Short-term RTT (latest request, or the interval's mean / median latency). */
  rtt: number;
  /** Requests in flight when the sample was taken (use the limit when unknown). */
  inflight?: number;
}

const WARMUP = 10;

export class Gradient2 {
  private _limit: number;
  private _longRtt = 0;
  private _count = 0;
  private _lastRtt = 0;
  private readonly _min: number;
  private readonly _max: number;
  private readonly _smoothing: number;
  private readonly _tolerance: number;
  private readonly _window: number;
  private readonly _queueSize: (limit: number) => number;

  constructor(options: Gradient2Options = {}) {
    this._min = options.minLimit ?? 20;
    this._max = options.maxLimit ?? 200;
    this._limit = options.initialLimit ?? 20;
    this._smoothing = options.smoothing ?? 0.2;
    this._tolerance = options.rttTolerance ?? 1.5;
    this._window = options.longWindow ?? 600;
    const q = options.queueSize ?? 4;
    this._queueSize = typeof q === 'number' ? () => q : q;
  }

  /** The current (fractional) limit estimate; round it for a concurrency setting. */
  get estimatedLimit(): number {
    return this._limit;
  }

  get limit(): number {
    return Math.max(1, Math.floor(this._limit));
  }

  get longRtt(): number {
    return this._longRtt;
  }

  get lastRtt(): number {
    return this._lastRtt;
  }

  /** Resets the limit, e.g. when the knob was rolled back or set by someone else. */
  setLimit(limit: number): void {
    this._limit = Math.max(this._min, Math.min(this._max, limit));
  }

  /** Feeds one RTT sample and returns the new limit (integer). */
  update(sample: Gradient2Sample): number {
    const shortRtt = sample.rtt;
    if (!(shortRtt > 0) || !Number.isFinite(shortRtt)) return this.limit;
    const inflight = sample.inflight ?? this._limit;
    const queueSize = this._queueSize(this._limit);
    this._lastRtt = shortRtt;
    if (this._count < WARMUP) {
      this._count++;
      this._longRtt += (shortRtt - this._longRtt) / this._count;
    } else {
      const factor = 2 / (this._window + 1);
      this._longRtt = shortRtt * factor + this._longRtt * (1 - factor);
    }
    // Drift: latency came back down after an overload; pull the long RTT down faster.
    if (this._longRtt / shortRtt > 2) this._longRtt *= 0.95;
    // App-limited: no evidence about the limit.
    if (inflight < this._limit / 2) return this.limit;
    const gradient = Math.max(0.5, Math.min(1, (this._tolerance * this._longRtt) / shortRtt));
    let next = this._limit * gradient + queueSize;
    next = this._limit * (1 - this._smoothing) + next * this._smoothing;
    this._limit = Math.max(this._min, Math.min(this._max, next));
    return this.limit;
  }
}
