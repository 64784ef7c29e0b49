/** The verdict on one observation. */
export interface EwmaResult {
  value: number;
  /** The baseline the value was judged against (EWMA of the past) and the control limits around it. */
  expected: number;
  lower: number;
  upper: number;
  anomaly: boolean;
  /** (value - expected) / sigma, signed. */
  score: number;
}

/**
 * Anomaly detection with EWMA control limits: the baseline is an exponentially weighted mean and
 * variance of past values; a value more than `sigmas` standard deviations from the baseline is an
 * anomaly (defaults: lambda 0.1, 3 sigmas, 20 warm-up values). Anomalies update the baseline with a reduced weight so one spike does not widen the limits,
 * while a lasting shift is absorbed after a while. The first `warmup` values only train the baseline.
 */
export class EwmaDetector {
  readonly lambda: number;
  readonly sigmas: number;
  readonly warmup: number;
  private _mean = NaN;
  private _var = 0;
  private _n = 0;

  constructor(options: { lambda?: number; sigmas?: number; warmup?: number } = {}) {
    this.lambda = options.lambda ?? 0.1;
    this.sigmas = options.sigmas ?? 3;
    this.warmup = options.warmup ?? 20;
    if (!(this.lambda > 0 && this.lambda <= 1))
      throw new RangeError('EwmaDetector: lambda must be in (0, 1]');
    if (!(this.sigmas > 0)) throw new RangeError('EwmaDetector: sigmas must be > 0');
  }

  /** Judges `value` against the baseline, then folds it in. NaN values are ignored (undefined). */
  update(value: number): EwmaResult | undefined {
    if (!Number.isFinite(value)) return undefined;
    this._n++;
    if (this._n === 1) {
      this._mean = value;
      return { value, expected: value, lower: value, upper: value, anomaly: false, score: 0 };
    }
    const sigma = Math.sqrt(this._var);
    // A floor on sigma so a perfectly flat baseline does not make every tiny wobble an anomaly.
    const floor = Math.max(Math.abs(this._mean) * 1e-6, 1e-12);
    const s = Math.max(sigma, floor);
    const diff = value - this._mean;
    const score = diff / s;
    const anomaly = this._n > this.warmup && Math.abs(score) > this.sigmas;
    const result: EwmaResult = {
      value,
      expected: this._mean,
      lower: this._mean - this.sigmas * s,
      upper: this._mean + this.sigmas * s,
      anomaly,
      score,
    };
    // The variance learns at half the mean's rate: a steadier sigma, fewer false alarms.
    const w = anomaly ? this.lambda / 4 : this.lambda;
    const wv = w / 2;
    this._mean += w * diff;
    this._var = (1 - wv) * (this._var + wv * diff * diff);
    return result;
  }

  /** Runs a whole series; returns the indices judged anomalous. */
  static detect(
    series: ArrayLike<number>,
    options?: { lambda?: number; sigmas?: number; warmup?: number },
  ): number[] {
    const d = new EwmaDetector(options);
    const out: number[] = [];
    for (let i = 0; i < series.length; i++) if (d.update(series[i]!)?.anomaly) out.push(i);
    return out;
  }
}
