/**
 * Batch size (and flush timeout) for throughput under a p95 latency objective: a constrained pattern
 * search driven by accept/reject outcomes (hand-written: a few lines of bookkeeping around the
 * safety gate, which decides whether each probe really was better).
 *
 * `propose()` returns the next batch size to try from the measurement at the current one; the caller
 * (the optimizer's safety gate, or any comparator) reports `outcome(kept)`. A p95 above the objective
 * always proposes a smaller batch (proportionally smaller when far above); a larger batch is not
 * probed when p95 scaled by the batch ratio would exceed the objective. A rejected probe reverses the direction; two rejections in a row
 * halve the step. `score()` is the objective the gate compares: throughput, penalised steeply once
 * p95 exceeds the objective, so probes that break the latency objective are rolled back.
 */
export interface BatchTunerOptions {
  min: number;
  max: number;
  /** p95 latency objective (same unit as the p95 you measure). */
  p95Objective: number;
  /** First probe distance; default max(1, 25% of the range's lower half). */
  initialStep?: number;
  minStep?: number;
}

export interface BatchMeasurement {
  batchSize: number;
  throughput: number;
  p95: number;
}

export class BatchTuner {
  private _dir = 1;
  private _step: number;
  private _rejects = 0;
  /** Last p95 seen at the 4 most recent batch sizes, for the local slope. */
  private readonly _p95At = new Map<number, number>();
  private readonly _minStep: number;
  private readonly _maxStep: number;

  constructor(private readonly _options: BatchTunerOptions) {
    if (!(_options.min >= 1 && _options.max >= _options.min && _options.p95Objective > 0)) {
      throw new RangeError('BatchTuner needs 1 <= min <= max and a positive p95Objective');
    }
    this._minStep = _options.minStep ?? 1;
    this._maxStep = Math.max(this._minStep, Math.ceil((_options.max - _options.min) / 4));
    this._step =
      _options.initialStep ?? Math.max(this._minStep, Math.round((_options.max - _options.min) / 8));
  }

  get step(): number {
    return this._step;
  }

  /** Throughput, penalised by (objective / p95)^8 once p95 exceeds the objective. Higher is better. */
  score(throughput: number, p95: number): number {
    const over = p95 > this._options.p95Objective ? (this._options.p95Objective / p95) ** 8 : 1;
    return throughput * over;
  }

  /** The next batch size to try, or undefined to stay. */
  propose(m: BatchMeasurement): number | undefined {
    const { min, max, p95Objective } = this._options;
    const b = m.batchSize;
    if (Number.isFinite(m.p95)) {
      this._p95At.delete(b);
      this._p95At.set(b, m.p95);
      if (this._p95At.size > 4) this._p95At.delete(this._p95At.keys().next().value!);
    }
    if (m.p95 > p95Objective) {
      // Proportional cut: latency grows about linearly with the batch, so aim below the objective at once
      // (the caller's step bound still applies).
      this._dir = -1;
      const next = Math.max(min, Math.min(b - this._minStep, Math.floor((b * p95Objective) / m.p95)));
      return next === b ? undefined : next;
    }
    let next = b + this._dir * this._step;
    if (next > max || next < min) {
      this._dir = -this._dir;
      next = b + this._dir * this._step;
    }
    next = Math.max(min, Math.min(max, next));
    // A larger probe that the local slope of p95 over batch size predicts to break the objective is
    // shortened to the largest step predicted to fit (or skipped).
    while (next > b && this._predictP95(b, m.p95, next) > p95Objective * 1.05) next--;
    return next === b ? undefined : next;
  }

  private _predictP95(b: number, p95: number, next: number): number {
    let other: [number, number] | undefined;
    for (const [size, v] of this._p95At)
      if (size !== b && (!other || Math.abs(size - b) <= Math.abs(other[0] - b))) other = [size, v];
    if (!other) return p95;
    const slope = Math.max(0, (p95 - other[1]) / (b - other[0]));
    return p95 + slope * (next - b);
  }

  /** Reports whether the last proposal was kept. */
  outcome(kept: boolean): void {
    if (kept) {
      this._rejects = 0;
      this._step = Math.min(this._maxStep, Math.ceil(this._step * 1.5));
      return;
    }
    this._dir = -this._dir;
    this._rejects++;
    if (this._rejects >= 2) {
      this._step = Math.max(this._minStep, Math.floor(this._step / 2));
      this._rejects = 0;
    }
  }

  /** Flush timeout for a batch: the time to fill it at `arrivalRate` (items per time unit) with 20% slack, at most `maxTimeout`. */
  timeoutFor(batchSize: number, arrivalRate: number, maxTimeout: number): number {
    if (!(arrivalRate > 0)) return maxTimeout;
    return Math.min(maxTimeout, (batchSize / arrivalRate) * 1.2);
  }
}
