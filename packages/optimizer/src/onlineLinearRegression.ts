import { ErrorWindow, type HeldOutError, type Predictor } from './predictor.js';

/**
 * Online linear regression by recursive least squares with a forgetting factor (hand-written: the
 * maintained JS regression libraries, e.g. ml-regression-multivariate-linear, refit from scratch in
 * batch and cannot forget old data when the plant drifts; RLS is O(d^2) per update and exact for
 * linear targets). y = w . [1, x].
 */
export interface OnlineLinearRegressionOptions {
  /** Forgetting factor in (0, 1]; 1 = ordinary least squares, 0.98 follows drift. Default 0.99. */
  forgetting?: number;
  /** Initial inverse-covariance scale (large = weak prior). Default 1e4. */
  delta?: number;
  errorWindow?: number;
}

export class OnlineLinearRegression implements Predictor {
  readonly kind = 'linear_regression' as const;
  private _w: number[] = [];
  private _p: number[][] = [];
  private _seen = 0;
  private readonly _lambda: number;
  private readonly _delta: number;
  private readonly _errors: ErrorWindow;

  constructor(options: OnlineLinearRegressionOptions = {}) {
    this._lambda = options.forgetting ?? 0.99;
    this._delta = options.delta ?? 1e4;
    this._errors = new ErrorWindow(options.errorWindow ?? 20);
  }

  get weights(): readonly number[] {
    return this._w;
  }

  fit(xs: readonly (readonly number[])[], ys: readonly number[]): void {
    xs.forEach((x, i) => this.update(x, ys[i]!));
  }

  update(x: readonly number[], y: number): void {
    const phi = [1, ...x];
    const d = phi.length;
    if (this._w.length !== d) {
      this._w = new Array<number>(d).fill(0);
      this._p = Array.from({ length: d }, (_, i) =>
        Array.from({ length: d }, (_, j) => (i === j ? this._delta : 0)),
      );
    }
    if (this._seen > d) this._errors.add(this.predict(x), y);
    const p = this._p;
    const pPhi = p.map((row) => row.reduce((s, v, j) => s + v * phi[j]!, 0));
    const denom = this._lambda + phi.reduce((s, v, i) => s + v * pPhi[i]!, 0);
    const k = pPhi.map((v) => v / denom);
    const err = y - this._w.reduce((s, w, i) => s + w * phi[i]!, 0);
    this._w = this._w.map((w, i) => w + k[i]! * err);
    // P = (P - k * phi^T P) / lambda  (phi^T P = pPhi^T as P is symmetric)
    this._p = p.map((row, i) => row.map((v, j) => (v - k[i]! * pPhi[j]!) / this._lambda));
    this._seen++;
  }

  predict(x: readonly number[]): number {
    if (this._seen === 0) return NaN;
    const phi = [1, ...x];
    return this._w.reduce((s, w, i) => s + w * (phi[i] ?? 0), 0);
  }

  heldOutError(): HeldOutError {
    return this._errors.error();
  }
}
