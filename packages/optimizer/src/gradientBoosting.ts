import { DecisionTreeRegression } from 'ml-cart';
import { ErrorWindow, type HeldOutError, type Predictor } from './predictor.js';

/**
 * Gradient-boosted regression trees (squared loss) over a bounded window of recent observations.
 * The weak learner is ml-cart's CART regression tree (mljs, maintained); the boosting loop itself
 * is hand-written because no maintained, light JS gradient-boosting library exists (the xgboost /
 * lightgbm ports are WASM/native and far heavier than the ~30 lines needed here).
 */
export interface GradientBoostingOptions {
  /** Trees per fit; default 40. */
  trees?: number;
  /** Shrinkage; default 0.2. */
  learningRate?: number;
  /** Tree depth; default 3. */
  maxDepth?: number;
  /** Minimum samples to split; default 3. */
  minNumSamples?: number;
  /** Observations kept (sliding window); default 200. */
  window?: number;
  /** Refit after this many new observations; default 5. */
  refitEvery?: number;
  errorWindow?: number;
}

export class GradientBoosting implements Predictor {
  readonly kind = 'gradient_boosting' as const;
  private readonly _xs: number[][] = [];
  private readonly _ys: number[] = [];
  private _base = NaN;
  private _trees: DecisionTreeRegression[] = [];
  private _pending = 0;
  private readonly _errors: ErrorWindow;

  constructor(private readonly _options: GradientBoostingOptions = {}) {
    this._errors = new ErrorWindow(_options.errorWindow ?? 20);
  }

  fit(xs: readonly (readonly number[])[], ys: readonly number[]): void {
    xs.forEach((x, i) => this._add(x, ys[i]!, false));
    this._refit();
  }

  update(x: readonly number[], y: number): void {
    if (this._trees.length > 0) this._errors.add(this.predict(x), y);
    this._add(x, y, true);
  }

  predict(x: readonly number[]): number {
    if (!Number.isFinite(this._base)) return NaN;
    const lr = this._options.learningRate ?? 0.2;
    let y = this._base;
    for (const t of this._trees) y += lr * t.predict([[...x]])[0]!;
    return y;
  }

  heldOutError(): HeldOutError {
    return this._errors.error();
  }

  private _add(x: readonly number[], y: number, maybeRefit: boolean): void {
    this._xs.push([...x]);
    this._ys.push(y);
    const window = this._options.window ?? 200;
    if (this._xs.length > window) {
      this._xs.shift();
      this._ys.shift();
    }
    this._pending++;
    if (maybeRefit && (this._pending >= (this._options.refitEvery ?? 5) || this._trees.length === 0))
      this._refit();
  }

  private _refit(): void {
    this._pending = 0;
    const n = this._ys.length;
    if (n === 0) return;
    const lr = this._options.learningRate ?? 0.2;
    this._base = this._ys.reduce((a, b) => a + b, 0) / n;
    this._trees = [];
    if (n < 4) return;
    const f = new Array<number>(n).fill(this._base);
    const m = this._options.trees ?? 40;
    for (let k = 0; k < m; k++) {
      const residual = this._ys.map((y, i) => y - f[i]!);
      const tree = new DecisionTreeRegression({
        maxDepth: this._options.maxDepth ?? 3,
        minNumSamples: this._options.minNumSamples ?? 3,
      });
      tree.train(this._xs, residual);
      const out = tree.predict(this._xs);
      for (let i = 0; i < n; i++) f[i] = f[i]! + lr * out[i]!;
      this._trees.push(tree);
    }
  }
}
