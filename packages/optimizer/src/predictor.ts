/**
 * Predicts an objective (throughput, hit ratio, latency) from knob settings and load features.
 * Every predictor keeps a rolling held-out error: each new observation is first predicted (before the
 * model has seen it), then learned, so `heldOutError()` is a true out-of-sample error on the most
 * recent window ("predict, then update", prequential evaluation).
 */
export interface Predictor {
  readonly kind: PredictorKind;
  /** Learns one observation (features -> objective). */
  update(x: readonly number[], y: number): void;
  /** Learns many observations. */
  fit(xs: readonly (readonly number[])[], ys: readonly number[]): void;
  /** Predicted objective, or NaN before it has seen data. */
  predict(x: readonly number[]): number;
  /** Rolling held-out error over the last `window` observations (NaN until enough are seen). */
  heldOutError(): HeldOutError;
}

export type PredictorKind = 'linear_regression' | 'gradient_boosting' | 'neural_network';

export interface HeldOutError {
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute percentage error (fraction, 0.1 = 10%); NaN when targets are 0. */
  mape: number;
  /** Observations in the window. */
  n: number;
}

/** Rolling prequential error window shared by the predictors. */
export class ErrorWindow {
  private readonly _sq: number[] = [];
  private readonly _ape: number[] = [];
  constructor(private readonly _size = 20) {}

  add(predicted: number, actual: number): void {
    if (!Number.isFinite(predicted)) return;
    const e = predicted - actual;
    this._sq.push(e * e);
    this._ape.push(actual !== 0 ? Math.abs(e / actual) : NaN);
    if (this._sq.length > this._size) {
      this._sq.shift();
      this._ape.shift();
    }
  }

  error(): HeldOutError {
    const n = this._sq.length;
    if (n === 0) return { rmse: NaN, mape: NaN, n: 0 };
    const rmse = Math.sqrt(this._sq.reduce((a, b) => a + b, 0) / n);
    const apes = this._ape.filter((v) => Number.isFinite(v));
    const mape = apes.length ? apes.reduce((a, b) => a + b, 0) / apes.length : NaN;
    return { rmse, mape, n };
  }
}

/** Deterministic PRNG (mulberry32) for weight initialisation and subsampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
