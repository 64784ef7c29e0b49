import { ErrorWindow, mulberry32, type HeldOutError, type Predictor } from './predictor.js';

/**
 * A small multilayer perceptron (one tanh hidden layer, linear output) trained by Adam on a bounded
 * window of recent observations, with inputs and target standardised.
 * Hand-written: the maintained JS network libraries are heavy for a 16-unit regressor
 * (@tensorflow/tfjs ~ tens of MB with its backends; brain.js pulls a GPU stack), while this needs
 * about 100 lines, no native code and a seeded, reproducible initialisation.
 */
export interface NeuralNetworkOptions {
  hidden?: number;
  learningRate?: number;
  /** Passes over the window per refit; default 60. */
  epochs?: number;
  window?: number;
  refitEvery?: number;
  seed?: number;
  errorWindow?: number;
}

export class NeuralNetwork implements Predictor {
  readonly kind = 'neural_network' as const;
  private readonly _xs: number[][] = [];
  private readonly _ys: number[] = [];
  private _w1: number[][] = [];
  private _b1: number[] = [];
  private _w2: number[] = [];
  private _b2 = 0;
  private _mx: number[] = [];
  private _sx: number[] = [];
  private _my = 0;
  private _sy = 1;
  private _trained = false;
  private _pending = 0;
  private readonly _errors: ErrorWindow;
  private readonly _rand: () => number;
  // Adam moments, flattened in the order w1, b1, w2, b2
  private _m: number[] = [];
  private _v: number[] = [];
  private _t = 0;

  constructor(private readonly _options: NeuralNetworkOptions = {}) {
    this._errors = new ErrorWindow(_options.errorWindow ?? 20);
    this._rand = mulberry32(_options.seed ?? 7);
  }

  fit(xs: readonly (readonly number[])[], ys: readonly number[]): void {
    xs.forEach((x, i) => this._push(x, ys[i]!));
    this._train(this._options.epochs ?? 60);
  }

  update(x: readonly number[], y: number): void {
    if (this._trained) this._errors.add(this.predict(x), y);
    this._push(x, y);
    this._pending++;
    if (this._pending >= (this._options.refitEvery ?? 5) || !this._trained)
      this._train(this._options.epochs ?? 60);
  }

  predict(x: readonly number[]): number {
    if (!this._trained) return NaN;
    return this._forward(this._norm(x)).out * this._sy + this._my;
  }

  heldOutError(): HeldOutError {
    return this._errors.error();
  }

  private _push(x: readonly number[], y: number): void {
    this._xs.push([...x]);
    this._ys.push(y);
    if (this._xs.length > (this._options.window ?? 200)) {
      this._xs.shift();
      this._ys.shift();
    }
  }

  private _norm(x: readonly number[]): number[] {
    return x.map((v, i) => (v - (this._mx[i] ?? 0)) / (this._sx[i] ?? 1));
  }

  private _forward(x: number[]): { h: number[]; out: number } {
    const h = this._w1.map((row, j) => Math.tanh(row.reduce((s, w, i) => s + w * x[i]!, this._b1[j]!)));
    const out = h.reduce((s, v, j) => s + v * this._w2[j]!, this._b2);
    return { h, out };
  }

  private _init(d: number): void {
    const hidden = this._options.hidden ?? 16;
    const g = () => (this._rand() * 2 - 1) * Math.sqrt(6 / (d + hidden));
    this._w1 = Array.from({ length: hidden }, () => Array.from({ length: d }, g));
    this._b1 = new Array<number>(hidden).fill(0);
    this._w2 = Array.from({ length: hidden }, () => (this._rand() * 2 - 1) * Math.sqrt(6 / (hidden + 1)));
    this._b2 = 0;
    const size = hidden * d + hidden + hidden + 1;
    this._m = new Array<number>(size).fill(0);
    this._v = new Array<number>(size).fill(0);
    this._t = 0;
  }

  private _train(epochs: number): void {
    this._pending = 0;
    const n = this._ys.length;
    if (n < 2) return;
    const d = this._xs[0]!.length;
    if (this._w1.length === 0 || this._w1[0]!.length !== d) this._init(d);
    // Standardise on the current window.
    this._mx = Array.from({ length: d }, (_, i) => this._xs.reduce((s, x) => s + x[i]!, 0) / n);
    this._sx = Array.from({ length: d }, (_, i) => {
      const v = this._xs.reduce((s, x) => s + (x[i]! - this._mx[i]!) ** 2, 0) / n;
      return v > 1e-12 ? Math.sqrt(v) : 1;
    });
    this._my = this._ys.reduce((a, b) => a + b, 0) / n;
    const vy = this._ys.reduce((s, y) => s + (y - this._my) ** 2, 0) / n;
    this._sy = vy > 1e-12 ? Math.sqrt(vy) : 1;
    const xs = this._xs.map((x) => this._norm(x));
    const ys = this._ys.map((y) => (y - this._my) / this._sy);
    const lr = this._options.learningRate ?? 0.01;
    const hidden = this._w1.length;
    for (let e = 0; e < epochs; e++) {
      // Full-batch gradient (windows are small).
      const grad = new Array<number>(this._m.length).fill(0);
      for (let k = 0; k < n; k++) {
        const x = xs[k]!;
        const { h, out } = this._forward(x);
        const dOut = (2 * (out - ys[k]!)) / n;
        let idx = 0;
        for (let j = 0; j < hidden; j++) {
          const dh = dOut * this._w2[j]! * (1 - h[j]! * h[j]!);
          for (let i = 0; i < d; i++) grad[idx + i]! += dh * x[i]!;
          idx += d;
        }
        for (let j = 0; j < hidden; j++) grad[idx + j]! += dOut * this._w2[j]! * (1 - h[j]! * h[j]!);
        idx += hidden;
        for (let j = 0; j < hidden; j++) grad[idx + j]! += dOut * h[j]!;
        idx += hidden;
        grad[idx]! += dOut;
      }
      this._adam(grad, lr, d, hidden);
    }
    this._trained = true;
  }

  private _adam(grad: number[], lr: number, d: number, hidden: number): void {
    this._t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const step = (k: number): number => {
      this._m[k] = b1 * this._m[k]! + (1 - b1) * grad[k]!;
      this._v[k] = b2 * this._v[k]! + (1 - b2) * grad[k]! ** 2;
      const mh = this._m[k]! / (1 - b1 ** this._t);
      const vh = this._v[k]! / (1 - b2 ** this._t);
      return (lr * mh) / (Math.sqrt(vh) + 1e-8);
    };
    let idx = 0;
    for (let j = 0; j < hidden; j++) {
      for (let i = 0; i < d; i++) this._w1[j]![i]! -= step(idx + i);
      idx += d;
    }
    for (let j = 0; j < hidden; j++) this._b1[j]! -= step(idx + j);
    idx += hidden;
    for (let j = 0; j < hidden; j++) this._w2[j]! -= step(idx + j);
    idx += hidden;
    this._b2 -= step(idx);
  }
}
