/**
 * Pool size from Little's law: L = lambda * W. With `rate` acquisitions per second and `holdSeconds` mean
 * time a resource is held, the pool needs rate * hold resources busy on average; `headroom` (0.2 = 20%)
 * covers bursts. size = ceil(rate * hold * (1 + headroom)), clamped to [min, max].
 */
export interface PoolSizeInput {
  rate: number;
  holdSeconds: number;
  headroom?: number;
  min?: number;
  max?: number;
}

export function poolSize(input: PoolSizeInput): number {
  const headroom = input.headroom ?? 0.2;
  const min = input.min ?? 1;
  const max = input.max ?? Number.MAX_SAFE_INTEGER;
  const busy = Math.max(0, input.rate) * Math.max(0, input.holdSeconds);
  // Tiny epsilon so 10 * 0.3 * 1.2 (= 3.5999999999999996) does not round a whole resource away.
  const raw = Math.ceil(busy * (1 + headroom) - 1e-9);
  return Math.max(min, Math.min(max, raw));
}

/** Little's-law sizing on smoothed measurements (EWMA with weight `alpha`, e.g. the learning rate). */
export class PoolSizer {
  private _rate: number | undefined;
  private _hold: number | undefined;

  constructor(
    private readonly _options: { headroom?: number; min?: number; max?: number; alpha?: number } = {},
  ) {}

  /** Feeds one interval's acquisition rate (per second) and mean hold time (seconds); returns the recommended size. */
  update(rate: number, holdSeconds: number): number {
    const a = this._options.alpha ?? 0.5;
    if (Number.isFinite(rate))
      this._rate = this._rate === undefined ? rate : this._rate + a * (rate - this._rate);
    if (Number.isFinite(holdSeconds)) {
      this._hold = this._hold === undefined ? holdSeconds : this._hold + a * (holdSeconds - this._hold);
    }
    return this.recommend();
  }

  recommend(): number {
    return poolSize({
      rate: this._rate ?? 0,
      holdSeconds: this._hold ?? 0,
      headroom: this._options.headroom,
      min: this._options.min,
      max: this._options.max,
    });
  }
}
