/**
 * Batch size (and flush timeout) for throughput under a p95 latency objective: a constrained pattern
 * search driven by accept/reject outcomes (hand-written: a few lines of bookkeeping around the
 * safety gate, which decides whether each probe really was better).
 *
 * `propose()` returns the next batch size to try from the measurement at the current one; the caller
 * (the optimizer's safety gate, or any comparator) reports `outcome(kept)`. A p95 above the objective
 * always proposes a smaller batch. A rejected probe reverses the direction; two rejections in a row
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

  /** Throughput, penalised by (objective / p95)^4 once p95 exceeds the objective. Higher is better. */
  score(throughput: number, p95: number): number {
    const over = p95 > this._options.p95Objective ? (this._options.p95Objective / p95) ** 4 : 1;
    return throughput * over;
  }

  /** The next batch size to try, or undefined to stay. */
  propose(m: BatchMeasurement): number | undefined {
    const { min, max, p95Objective } = this._options;
    const b = m.batchSize;
    if (m.p95 > p95Objective) {
      this._dir = -1;
      const next = Math.max(min, b - this._step);
      return next === b ? undefined : next;
    }
    let next = b + this._dir * this._step;
    if (next > max || next < min) {
      this._dir = -this._dir;
      next = b + this._dir * this._step;
    }
    next = Math.max(min, Math.min(max, next));
    return next === b ? undefined : next;
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
