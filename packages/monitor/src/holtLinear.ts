/**
 * Holt's linear (double exponential) smoothing: a level and a trend per step, updated as
 *   level' = alpha * x + (1 - alpha) * (level + trend)
 *   trend' = beta * (level' - level) + (1 - beta) * trend
 * and forecast(h) = level + h * trend. Initialised from the first two observations, so a noiseless
 * straight line is tracked (and forecast) exactly. Small enough to write here; the statistics
 * libraries on npm that offer it bring far more than this needs.
 */
export class HoltLinear {
  readonly alpha: number;
  readonly beta: number;
  private _level = NaN;
  private _trend = NaN;
  private _first = NaN;
  private _n = 0;

  constructor(alpha = 0.5, beta = 0.3) {
    if (!(alpha > 0 && alpha <= 1) || !(beta > 0 && beta <= 1)) {
      throw new RangeError('HoltLinear: alpha and beta must be in (0, 1]');
    }
    this.alpha = alpha;
    this.beta = beta;
  }

  /** Adds one observation (NaN is skipped). */
  update(x: number): void {
    if (!Number.isFinite(x)) return;
    this._n++;
    if (this._n === 1) {
      this._first = x;
      this._level = x;
      this._trend = 0;
      return;
    }
    if (this._n === 2) {
      this._level = x;
      this._trend = x - this._first;
      return;
    }
    const prev = this._level;
    this._level = this.alpha * x + (1 - this.alpha) * (prev + this._trend);
    this._trend = this.beta * (this._level - prev) + (1 - this.beta) * this._trend;
  }

  /** Observations seen (finite ones). */
  get count(): number {
    return this._n;
  }

  get level(): number {
    return this._level;
  }

  /** Change per step. */
  get trend(): number {
    return this._trend;
  }

  /** Value expected `steps` steps after the last observation (NaN before any data). */
  forecast(steps: number): number {
    return this._level + steps * (this._n >= 2 ? this._trend : 0);
  }

  /**
   * Steps until the forecast reaches `limit` (crossing upward for a rising trend, downward for a falling
   * one), or undefined when it never does.
   */
  stepsUntil(limit: number): number | undefined {
    if (this._n === 0) return undefined;
    const gap = limit - this._level;
    if (gap === 0) return 0;
    const trend = this._n >= 2 ? this._trend : 0;
    if (trend === 0 || Math.sign(gap) !== Math.sign(trend)) return undefined;
    return gap / trend;
  }

  static fit(series: ArrayLike<number>, alpha?: number, beta?: number): HoltLinear {
    const h = new HoltLinear(alpha, beta);
    for (let i = 0; i < series.length; i++) h.update(series[i]!);
    return h;
  }
}
