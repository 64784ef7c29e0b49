import { type PoolUsage } from './pool.js';
import { PoolConfigError } from './poolConfig.js';
import { percentileOf } from './waitHistogram.js';

/** A tunable setting as @hp/optimizer takes it (structural: no import between the packages). */
export interface Knob {
  name: string;
  get(): number;
  set(value: number): void;
  min: number;
  max: number;
}

/** What the sizer needs of a pool (a {@link Pool} satisfies it). */
export interface SizablePool {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  usage(): PoolUsage;
  resize(min: number, max: number): void;
}

/** Timers used to apply the sizer periodically; injectable for tests. */
export interface SizerTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface AdaptiveSizerOptions {
  /** Lowest max_size the sizer may set. Default 1. */
  minSize?: number;
  /** Highest max_size the sizer may set. Default 2x the pool's max at construction (as the sketch). */
  maxSize?: number;
  /** Spare capacity above the measured concurrency (0.25 = 25 %). Default 0.25. */
  headroom?: number;
  /** p99 acquire wait above which the pool grows, in ms. Default 5. */
  targetWaitMs?: number;
  /** Relative change below which nothing is applied (the sketch's adaptation_threshold). Default 0.2. */
  threshold?: number;
  /** Interval of start(), in ms (the sketch's analysis_interval, 300 s). Default 300 000. */
  intervalMs?: number;
  timers?: SizerTimers;
}

/** One window's measurements and what the sizer made of them. */
export interface SizingDecision {
  /** Window length, ms. */
  windowMs: number;
  /** Arrival rate λ, acquires per second. */
  arrivalsPerSec: number;
  /** Mean hold time W, ms. */
  holdMs: number;
  /** Little's law L = λ·W: mean resources in use. */
  concurrency: number;
  peakInUse: number;
  p99WaitMs: number;
  from: { min: number; max: number };
  to: { min: number; max: number };
  applied: boolean;
  reason: string;
}

const defaultTimers: SizerTimers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * Sizes a pool from measured usage. Each window: arrival rate λ and mean hold time W give the
 * concurrency the load needs (Little's law, L = λ·W); max_size becomes L plus headroom, never below
 * the window's peak; a p99 acquire wait above target grows it by a quarter; min_size keeps ⌈L⌉ warm.
 * Changes smaller than `threshold` are not applied. `knob` exposes max_size to @hp/optimizer.
 */
export class AdaptiveSizer {
  readonly knob: Knob;
  private readonly _pool: SizablePool;
  private readonly _minSize: number;
  private readonly _maxSize: number;
  private readonly _headroom: number;
  private readonly _targetWait: number;
  private readonly _threshold: number;
  private readonly _intervalMs: number;
  private readonly _timers: SizerTimers;
  private _prev: PoolUsage | undefined;
  private _handle: unknown;
  private _last: SizingDecision | undefined;

  constructor(pool: SizablePool, options: AdaptiveSizerOptions = {}) {
    this._pool = pool;
    this._minSize = options.minSize ?? 1;
    this._maxSize = options.maxSize ?? pool.max * 2;
    if (!Number.isInteger(this._minSize) || this._minSize < 1) {
      throw new PoolConfigError('INVALID_CONFIG', 'minSize', `must be an integer >= 1, got ${this._minSize}`);
    }
    if (!Number.isInteger(this._maxSize) || this._maxSize < this._minSize) {
      throw new PoolConfigError(
        'INVALID_CONFIG',
        'maxSize',
        `must be an integer >= minSize, got ${this._maxSize}`,
      );
    }
    this._headroom = nonNegative('headroom', options.headroom ?? 0.25);
    this._targetWait = nonNegative('targetWaitMs', options.targetWaitMs ?? 5);
    this._threshold = nonNegative('threshold', options.threshold ?? 0.2);
    this._intervalMs = options.intervalMs ?? 300_000;
    if (!(this._intervalMs > 0)) throw new PoolConfigError('INVALID_CONFIG', 'intervalMs', 'must be > 0');
    this._timers = options.timers ?? defaultTimers;
    this.knob = {
      name: `pool.${pool.name}.max_size`,
      get: () => this._pool.max,
      set: (value: number) => {
        const max = clamp(Math.round(value), this._minSize, this._maxSize);
        this._pool.resize(Math.min(this._pool.min, max), max);
      },
      min: this._minSize,
      max: this._maxSize,
    };
  }

  /** The last decision (undefined before the second apply()). */
  get lastDecision(): SizingDecision | undefined {
    return this._last;
  }

  /** Applies `apply()` every `intervalMs` (timer unref'd). */
  start(): void {
    if (this._handle !== undefined) return;
    this._prev = this._pool.usage();
    this._handle = this._timers.setInterval(() => void this.apply(), this._intervalMs);
  }

  stop(): void {
    if (this._handle === undefined) return;
    this._timers.clearInterval(this._handle);
    this._handle = undefined;
  }

  /** Measures the window since the previous call and resizes the pool if worth it. */
  apply(): SizingDecision | undefined {
    const now = this._pool.usage();
    const prev = this._prev;
    this._prev = now;
    if (prev === undefined) return undefined;
    const windowMs = now.atMs - prev.atMs;
    if (windowMs <= 0) return undefined;
    const arrivals = now.acquires - prev.acquires;
    const completions = now.releases - prev.releases;
    const busy = now.busyMs - prev.busyMs;
    const lambda = arrivals / windowMs; // per ms
    const hold = completions > 0 ? busy / completions : 0;
    // Little's law; the busy-time integral is the same quantity measured directly and covers holds
    // that have not ended yet, so take the larger.
    const concurrency = Math.max(lambda * hold, busy / windowMs);
    const delta = now.waitCounts.map((c, i) => c - (prev.waitCounts[i] ?? 0));
    const p99 = percentileOf(delta, 0.99);
    const from = { min: this._pool.min, max: this._pool.max };
    let max = Math.max(Math.ceil(concurrency * (1 + this._headroom)), now.peakInUse);
    let reason = `L = λ·W = ${concurrency.toFixed(2)} (+${Math.round(this._headroom * 100)} % headroom), peak ${now.peakInUse}`;
    const waiting = p99 > this._targetWait && (now.peakInUse >= from.max || now.pending > 0);
    if (waiting) {
      max = Math.max(max, from.max + Math.max(1, Math.ceil(from.max / 4)));
      reason = `p99 wait ${p99.toFixed(1)} ms > ${this._targetWait} ms at max: grow; ${reason}`;
    }
    max = clamp(max, this._minSize, this._maxSize);
    const min = clamp(Math.ceil(concurrency), 0, max);
    const change = Math.abs(max - from.max) / from.max;
    const applied =
      (waiting && max > from.max) || (change >= this._threshold && max !== from.max) || min > from.max;
    const to = applied ? { min, max } : from;
    if (applied) this._pool.resize(min, max);
    else
      reason = `no change (${Math.round(change * 100)} % < ${Math.round(this._threshold * 100)} %): ${reason}`;
    this._last = {
      windowMs,
      arrivalsPerSec: lambda * 1000,
      holdMs: hold,
      concurrency,
      peakInUse: now.peakInUse,
      p99WaitMs: p99,
      from,
      to,
      applied,
      reason,
    };
    return this._last;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function nonNegative(field: string, v: number): number {
  if (!Number.isFinite(v) || v < 0)
    throw new PoolConfigError('INVALID_CONFIG', field, `must be a number >= 0, got ${v}`);
  return v;
}
