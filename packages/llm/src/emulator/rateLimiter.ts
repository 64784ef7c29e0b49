/**
 * Requests-per-minute and tokens-per-minute limits of the emulator, as two token buckets (capacity = the limit,
 * refilled continuously over one emulated minute). Hand-written: a server-side bucket is a few lines, and the
 * emulator must compute OpenAI's exact headers from its state. The clock is injectable for tests.
 */

export interface Clock {
  now(): number;
}

export class TokenBucket {
  private _capacity: number;
  private _refillPerMs: number;
  private readonly _windowMs: number;
  private _level: number;
  private _updatedAt: number;

  /** `windowMs`: wall-clock ms to refill from empty to full. */
  constructor(capacity: number, windowMs: number, now: number) {
    this._capacity = capacity;
    this._windowMs = windowMs;
    this._refillPerMs = windowMs > 0 ? capacity / windowMs : Infinity;
    this._level = capacity;
    this._updatedAt = now;
  }

  get capacity(): number {
    return this._capacity;
  }

  /**
   * A new limit from `now` on (same window). The bucket keeps its fill fraction: a full bucket stays full, a
   * drained one stays drained, so a change neither grants a burst nor takes one away.
   */
  setCapacity(capacity: number, now: number): void {
    const fraction = this.level(now) / this._capacity;
    this._capacity = capacity;
    this._refillPerMs = this._windowMs > 0 ? capacity / this._windowMs : Infinity;
    this._level = fraction * capacity;
  }

  /** Sets the fill to `fraction` (0..1) of the capacity at `now`. */
  setFill(fraction: number, now: number): void {
    this.level(now);
    this._level = fraction * this._capacity;
    this._updatedAt = now;
  }

  level(now: number): number {
    if (now > this._updatedAt) {
      this._level = Math.min(this._capacity, this._level + (now - this._updatedAt) * this._refillPerMs);
      this._updatedAt = now;
    }
    return this._level;
  }

  take(amount: number, now: number): void {
    this._level = this.level(now) - amount;
  }

  /** Wall-clock ms until the bucket holds `amount` (0 if it already does). */
  waitMs(amount: number, now: number): number {
    const missing = amount - this.level(now);
    if (missing <= 0) return 0;
    return this._refillPerMs === Infinity ? 0 : missing / this._refillPerMs;
  }

  /** Wall-clock ms until the bucket is full again. */
  resetMs(now: number): number {
    return this.waitMs(this.capacity, now);
  }
}

/** Go-style duration like OpenAI's reset headers: "120ms", "1s", "1.5s", "6m0s", "1h2m3s". */
export function formatResetDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.max(1, Math.ceil(ms))}ms`;
  const totalSeconds = Math.ceil(ms) / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = Math.round((totalSeconds - h * 3600 - m * 60) * 1000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export interface RateDecision {
  ok: boolean;
  /** Which limit refused the request. */
  limit?: 'requests' | 'tokens';
  /** True when the request alone exceeds the token limit: waiting cannot help. */
  tooLarge?: boolean;
  /** Wall-clock ms to wait before the request would pass. */
  retryAfterMs: number;
  headers: Record<string, string>;
}

export class EmulatorRateLimiter {
  private _requests: TokenBucket | undefined;
  private _tokens: TokenBucket | undefined;
  private readonly _clock: Clock;
  private readonly _windowMs: number;

  constructor(
    limits: { rpm?: number | undefined; tpm?: number | undefined },
    windowMs: number,
    clock: Clock,
  ) {
    this._clock = clock;
    this._windowMs = windowMs;
    const now = clock.now();
    this._requests = limits.rpm ? new TokenBucket(limits.rpm, windowMs, now) : undefined;
    this._tokens = limits.tpm ? new TokenBucket(limits.tpm, windowMs, now) : undefined;
  }

  /**
   * Changes the limits at run time: a number sets a limit (a bucket that existed keeps its fill fraction, a new
   * one starts full), `undefined` leaves it as it is, `null` removes it. `fill` (0..1), when given, then sets
   * every bucket's fill to that fraction of its capacity.
   */
  setLimits(
    limits: { rpm?: number | null | undefined; tpm?: number | null | undefined },
    fill?: number,
  ): void {
    const now = this._clock.now();
    const update = (bucket: TokenBucket | undefined, limit: number | null | undefined) => {
      if (limit === undefined) return bucket;
      if (limit === null) return undefined;
      if (!bucket) return new TokenBucket(limit, this._windowMs, now);
      bucket.setCapacity(limit, now);
      return bucket;
    };
    this._requests = update(this._requests, limits.rpm);
    this._tokens = update(this._tokens, limits.tpm);
    if (fill !== undefined) {
      this._requests?.setFill(fill, now);
      this._tokens?.setFill(fill, now);
    }
  }

  /** Admits one request costing `tokens` (or refuses it, taking nothing) and returns the x-ratelimit-* headers. */
  admit(tokens: number): RateDecision {
    const now = this._clock.now();
    const requestWait = this._requests ? this._requests.waitMs(1, now) : 0;
    const tooLarge = this._tokens !== undefined && tokens > this._tokens.capacity;
    const tokenWait = this._tokens && !tooLarge ? this._tokens.waitMs(tokens, now) : 0;
    const ok = requestWait === 0 && tokenWait === 0 && !tooLarge;
    if (ok) {
      this._requests?.take(1, now);
      this._tokens?.take(tokens, now);
    }
    const decision: RateDecision = {
      ok,
      retryAfterMs: Math.max(requestWait, tokenWait),
      headers: this.headers(now),
    };
    if (!ok) {
      decision.limit = requestWait > 0 ? 'requests' : 'tokens';
      if (tooLarge) decision.tooLarge = true;
    }
    return decision;
  }

  headers(now = this._clock.now()): Record<string, string> {
    const h: Record<string, string> = {};
    if (this._requests) {
      h['x-ratelimit-limit-requests'] = String(this._requests.capacity);
      h['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(this._requests.level(now))));
      h['x-ratelimit-reset-requests'] = formatResetDuration(this._requests.resetMs(now));
    }
    if (this._tokens) {
      h['x-ratelimit-limit-tokens'] = String(this._tokens.capacity);
      h['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(this._tokens.level(now))));
      h['x-ratelimit-reset-tokens'] = formatResetDuration(this._tokens.resetMs(now));
    }
    return h;
  }
}
