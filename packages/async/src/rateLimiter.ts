// Hand-written: the well-kept limiters (rate-limiter-flexible, bottleneck, p-queue intervals) count
// requests or points per window but do not reserve an estimate and settle it with real usage, nor
// learn limits from provider headers and pause once for everyone on a 429. The distributed mode is
// rate-limiter-flexible (see distributedRateLimiter.ts).
import { z } from 'zod';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { abortedError, AsyncError, closedError, InvalidOptionsError, RateLimitedError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zClock, zNonNegMs, zObject, zPosMs } from './options.js';
import {
  budgetLeft,
  type HeaderSource,
  parseRateLimitHeaders,
  type RateLimitInfo,
} from './rateLimitHeaders.js';

/** A grant of one request and an estimated number of tokens; settle it with the real usage. */
export interface Reservation {
  readonly tokens: number;
  /** Reports the real token usage (refunds or charges the difference) and, optionally, the response headers. */
  settle(actualTokens?: number, headers?: HeaderSource): void;
  /** Gives the request and its tokens back (the call was never sent). */
  cancel(): void;
}

/** The interface TaskRunner needs from a limiter (local or distributed). */
export interface RateLimit {
  acquire(tokens?: number, options?: AcquireOptions): Promise<Reservation>;
  /** Local limiters answer synchronously: a reservation, or ms to wait. */
  tryAcquire?(tokens?: number): Reservation | number;
  /** Feeds a response's status and headers (429 pauses the limiter). */
  observe?(status: number | undefined, headers: HeaderSource | undefined, reservation?: Reservation): void;
  close?(): void | Promise<void>;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Longest wait accepted; beyond it acquire() rejects with RateLimitedError at once. Default: no bound. */
  maxWait?: number;
}

const limit = z.union([z.number().positive().finite(), z.literal(Number.POSITIVE_INFINITY)]);

const optionsSchema = z.object({
  name: z.string().min(1).default('rate-limiter'),
  requestsPerInterval: limit.optional(),
  tokensPerInterval: limit.optional(),
  requestsPerMinute: limit.optional(),
  tokensPerMinute: limit.optional(),
  /** Window of the *_per_interval limits in ms; default 60 000 (per minute). */
  interval: zPosMs.default(60_000),
  /** Learn limits from x-ratelimit-* / anthropic-ratelimit-* headers (also when none are configured). */
  learnFromHeaders: z.boolean().default(true),
  /**
   * Fraction of each bucket's capacity (the burst) kept unused: the
   * provider counts a request when it arrives, after we granted it, so a bucket that was full at the
   * provider would otherwise let us run ahead of it. The rate is not reduced. Default 0.01.
   */
  headroom: z.number().min(0).max(0.5).default(0.01),
  /** Pause after a 429 without retry-after, in ms. */
  defaultPause: zNonNegMs.default(1000),
  /** Longest pause a retry-after may impose, in ms. */
  maxPause: zNonNegMs.default(120_000),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type RateLimiterOptions = z.input<typeof optionsSchema> & {
  requests_per_interval?: number;
  tokens_per_interval?: number;
  requests_per_minute?: number;
  tokens_per_minute?: number;
};

class LocalReservation implements Reservation {
  done = false;
  constructor(
    private readonly _limiter: RateLimiter,
    readonly tokens: number,
    /** Requests and tokens granted (cumulative) right after this grant. */
    readonly seq: number,
    readonly tokenSeq: number,
  ) {}

  settle(actualTokens?: number, headers?: HeaderSource): void {
    if (!this.done) {
      this.done = true;
      if (actualTokens !== undefined && Number.isFinite(actualTokens) && actualTokens >= 0) {
        this._limiter._adjustTokens(this.tokens - actualTokens);
      }
    }
    if (headers) this._limiter.observe(undefined, headers, this);
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this._limiter._refund(this.tokens);
  }
}

interface Waiter {
  tokens: number;
  resolve: (r: Reservation) => void;
  reject: (e: unknown) => void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Requests and tokens per interval, as LLM providers count them: two token buckets that refill
 * continuously (capacity = the limit). A call reserves one request and an estimate of its tokens
 * before it starts and settles with the real usage after. Provider headers teach or correct the
 * limits; a 429 pauses the whole limiter once (for everyone) for its retry-after, unless its headers
 * show budget left (then only that request waits, through its retry policy).
 */
export class RateLimiter implements RateLimit, MetricsSource {
  readonly name: string;
  private _requestCap: number;
  private _tokenCap: number;
  private _requests: number;
  private _tokens: number;
  /** Bucket capacities: the limits less the headroom. */
  private _requestBurst = Infinity;
  private _tokenBurst = Infinity;
  private readonly _headroom: number;
  private _last: number;
  private _pausedUntil = 0;
  private _seq = 0;
  private _learnedAtSeq = 0;
  private _tokenSeq = 0;
  private _closed = false;
  private readonly _interval: number;
  private readonly _learn: boolean;
  private readonly _defaultPause: number;
  private readonly _maxPause: number;
  private readonly _clock: Clock;
  private readonly _unregister: () => void;
  private readonly _waiters = new Set<Waiter>();
  readonly stats = { granted: 0, waits: 0, pauses: 0, learned: 0, rejected: 0, transient429s: 0 };

  constructor(options: RateLimiterOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'RateLimiter');
    this.name = o.name;
    this._interval = o.interval;
    const perMinute = 60_000 / o.interval;
    this._requestCap =
      o.requestsPerInterval ??
      (o.requestsPerMinute !== undefined ? o.requestsPerMinute / perMinute : Infinity);
    this._tokenCap =
      o.tokensPerInterval ?? (o.tokensPerMinute !== undefined ? o.tokensPerMinute / perMinute : Infinity);
    this._headroom = o.headroom;
    this._updateBursts();
    this._requests = this._requestBurst;
    this._tokens = this._tokenBurst;
    this._learn = o.learnFromHeaders;
    this._defaultPause = o.defaultPause;
    this._maxPause = o.maxPause;
    this._clock = o.clock ?? systemClock;
    this._last = this._clock.now();
    this._unregister = (o.metrics ?? defaultAsyncMetrics()).register(this);
  }

  /** Current limits per interval (Infinity = none). */
  get limits(): { requests: number; tokens: number; interval: number } {
    return { requests: this._requestCap, tokens: this._tokenCap, interval: this._interval };
  }

  /** Requests and tokens that could be granted now. */
  get available(): { requests: number; tokens: number } {
    this._refill(this._clock.now());
    return { requests: this._requests, tokens: this._tokens };
  }

  /** ms until the pause after a 429 ends (0 when not paused). */
  get pausedFor(): number {
    return Math.max(0, this._pausedUntil - this._clock.now());
  }

  /** Changes the limits at run time (e.g. from the optimizer); current levels are capped at the new limits. */
  setLimits(limits: { requestsPerInterval?: number; tokensPerInterval?: number }): void {
    const check = (name: string, v: number | undefined): void => {
      if (v !== undefined && !(v === Infinity || (Number.isFinite(v) && v > 0))) {
        throw new InvalidOptionsError(name, 'must be a positive number or Infinity');
      }
    };
    check('requests_per_interval', limits.requestsPerInterval);
    check('tokens_per_interval', limits.tokensPerInterval);
    this._refill(this._clock.now());
    if (limits.requestsPerInterval !== undefined) this._setRequestCap(limits.requestsPerInterval, undefined);
    if (limits.tokensPerInterval !== undefined) this._setTokenCap(limits.tokensPerInterval, undefined);
    this._wakeWaiters();
  }

  /**
   * Grants one request and `tokens` now, or returns the ms to wait. Throws TOKENS_EXCEED_LIMIT when
   * `tokens` exceeds the token limit itself (it could never be granted).
   */
  tryAcquire(tokens = 0): Reservation | number {
    if (this._closed) throw closedError(`RateLimiter "${this.name}"`);
    if (tokens > this._tokenBurst) {
      throw new AsyncError(
        'TOKENS_EXCEED_LIMIT',
        `a request of ${tokens} tokens exceeds the usable burst of ${this._tokenBurst} tokens (limit less headroom): split it or lower its estimate`,
      );
    }
    const now = this._clock.now();
    if (now < this._pausedUntil) return this._pausedUntil - now;
    this._refill(now);
    if (this._requests >= 1 && this._tokens >= tokens) {
      this._requests -= 1;
      this._tokens -= tokens;
      this._seq += 1;
      this._tokenSeq += tokens;
      this.stats.granted++;
      return new LocalReservation(this, tokens, this._seq, this._tokenSeq);
    }
    const needRequests = this._requests >= 1 ? 0 : ((1 - this._requests) * this._interval) / this._requestCap;
    const needTokens =
      this._tokens >= tokens ? 0 : ((tokens - this._tokens) * this._interval) / this._tokenCap;
    return Math.max(1, Math.ceil(Math.max(needRequests, needTokens)));
  }

  /** Waits (abortably) until one request and `tokens` can be granted. */
  acquire(tokens = 0, options: AcquireOptions = {}): Promise<Reservation> {
    const { signal, maxWait } = options;
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'rate limit wait'));
    let first: Reservation | number;
    try {
      first = this.tryAcquire(tokens);
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof first !== 'number') return Promise.resolve(first);
    if (maxWait !== undefined && first > maxWait) {
      this.stats.rejected++;
      return Promise.reject(new RateLimitedError(first));
    }
    this.stats.waits++;
    return new Promise<Reservation>((resolve, reject) => {
      const waiter: Waiter = { tokens, resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          this._dropWaiter(waiter);
          reject(abortedError(signal, 'rate limit wait'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this._waiters.add(waiter);
      this._schedule(waiter, first);
    });
  }

  /**
   * Feeds a response's status and headers. A 429 pauses the whole limiter once for its retry-after
   * (or the reset time, or `default_pause`), unless its x-ratelimit-remaining headers show budget left
   * for requests (and for this request's tokens, when they name tokens); limits found in headers are learned when they differ
   * from the current ones, with the remaining budget taken from the same headers.
   */
  observe(status: number | undefined, headers: HeaderSource | undefined, reservation?: Reservation): void {
    const now = this._clock.now();
    const info: RateLimitInfo = headers ? parseRateLimitHeaders(headers, now) : {};
    this._refill(now);
    const r = reservation instanceof LocalReservation ? reservation : undefined;
    // Headers of a request granted before the last correction are older than what we know: skip them,
    // or responses still in flight from before a limit change would flip the limit back and forth.
    if (this._learn && (r === undefined || r.seq > this._learnedAtSeq)) {
      const before = this.stats.learned;
      if (info.requests?.limit !== undefined && info.requests.limit !== this._requestCap) {
        this._setRequestCap(info.requests.limit, info.requests.remaining, r ? this._seq - r.seq : 0);
        this.stats.learned++;
      }
      if (info.tokens?.limit !== undefined && info.tokens.limit !== this._tokenCap) {
        this._setTokenCap(info.tokens.limit, info.tokens.remaining, r ? this._tokenSeq - r.tokenSeq : 0);
        this.stats.learned++;
      }
      if (this.stats.learned !== before) this._learnedAtSeq = this._seq;
    }
    if (status === 429) {
      // Budget left by the 429's own headers: only that request waits (its retry policy), nobody pauses.
      if (budgetLeft(info, r?.tokens)) {
        this.stats.transient429s++;
        return;
      }
      let pause = info.retryAfterMs;
      if (pause === undefined) {
        const resets = [info.requests?.resetMs, info.tokens?.resetMs].filter(
          (x): x is number => x !== undefined,
        );
        pause = resets.length > 0 ? Math.min(...resets) : this._defaultPause;
      }
      this.pause(pause);
      // The provider says we are out: start from empty after the pause rather than from our estimate.
      if (info.requests?.remaining === undefined || info.requests.remaining < 1)
        this._requests = Math.min(this._requests, 0);
      if (info.tokens?.remaining !== undefined) this._tokens = Math.min(this._tokens, info.tokens.remaining);
    }
  }

  /** Stops granting for `ms` (a pause already longer is kept); counted once per pause episode. */
  pause(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const now = this._clock.now();
    const until = now + Math.min(ms, this._maxPause);
    if (until <= this._pausedUntil) return;
    if (this._pausedUntil <= now) this.stats.pauses++;
    this._pausedUntil = until;
    this._wakeWaiters();
  }

  collect(): Record<string, number> {
    const now = this._clock.now();
    this._refill(now);
    return {
      'rate_limit.paused': now < this._pausedUntil ? 1 : 0,
      'rate_limit.requests_available': Number.isFinite(this._requests) ? this._requests : -1,
      'rate_limit.tokens_available': Number.isFinite(this._tokens) ? this._tokens : -1,
      'rate_limit.pauses': this.stats.pauses,
      'rate_limit.transient_429s': this.stats.transient429s,
      'rate_limit.waits': this.stats.waits,
      'rate_limit.headers_learned': this.stats.learned,
    };
  }

  /** Rejects every waiting acquire() with CLOSED and clears its timers. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const error = closedError(`RateLimiter "${this.name}"`);
    for (const w of [...this._waiters]) {
      this._dropWaiter(w);
      w.reject(error);
    }
    this._unregister();
  }

  /** @internal */
  _adjustTokens(delta: number): void {
    this._refill(this._clock.now());
    this._tokens = Math.min(this._tokenBurst, this._tokens + delta);
    if (delta > 0) this._wakeWaiters();
  }

  /** @internal */
  _refund(tokens: number): void {
    this._refill(this._clock.now());
    this._requests = Math.min(this._requestBurst, this._requests + 1);
    this._tokens = Math.min(this._tokenBurst, this._tokens + tokens);
    this._wakeWaiters();
  }

  private _setRequestCap(cap: number, remaining: number | undefined, grantedSince = 0): void {
    const used = Number.isFinite(this._requestCap) ? this._requestCap - this._requests : 0;
    this._requestCap = cap;
    this._requests =
      remaining !== undefined
        ? Math.min(cap, remaining - grantedSince)
        : Number.isFinite(cap)
          ? cap - used
          : cap;
  }

  private _setTokenCap(cap: number, remaining: number | undefined, grantedSince = 0): void {
    const used = Number.isFinite(this._tokenCap) ? this._tokenCap - this._tokens : 0;
    this._tokenCap = cap;
    this._tokens =
      remaining !== undefined
        ? Math.min(cap, remaining - grantedSince)
        : Number.isFinite(cap)
          ? cap - used
          : cap;
  }

  private _updateBursts(): void {
    const h = this._headroom;
    const burst = (cap: number) => (Number.isFinite(cap) ? Math.max(Math.min(1, cap), cap * (1 - h)) : cap);
    this._requestBurst = burst(this._requestCap);
    this._tokenBurst = burst(this._tokenCap);
  }

  private _refill(now: number): void {
    const elapsed = now - this._last;
    if (elapsed <= 0) return;
    this._last = now;
    if (this._requests < this._requestBurst) {
      const refill = (elapsed * this._requestCap) / this._interval;
      this._requests = Math.min(this._requestBurst, this._requests + refill);
    }
    if (this._tokens < this._tokenBurst) {
      const refill = (elapsed * this._tokenCap) / this._interval;
      this._tokens = Math.min(this._tokenBurst, this._tokens + refill);
    }
  }

  private _schedule(waiter: Waiter, ms: number): void {
    if (waiter.timer !== undefined) this._clock.clearTimeout(waiter.timer);
    waiter.timer = this._clock.setTimeout(() => {
      waiter.timer = undefined;
      this._retryWaiter(waiter);
    }, ms);
  }

  private _retryWaiter(waiter: Waiter): void {
    if (!this._waiters.has(waiter)) return;
    let r: Reservation | number;
    try {
      r = this.tryAcquire(waiter.tokens);
    } catch (error) {
      this._dropWaiter(waiter);
      waiter.reject(error);
      return;
    }
    if (typeof r === 'number') {
      this._schedule(waiter, r);
      return;
    }
    this._dropWaiter(waiter);
    waiter.resolve(r);
  }

  private _wakeWaiters(): void {
    for (const w of this._waiters) {
      const now = this._clock.now();
      const wait = now < this._pausedUntil ? this._pausedUntil - now : 0;
      this._schedule(w, wait);
    }
  }

  private _dropWaiter(waiter: Waiter): void {
    this._waiters.delete(waiter);
    if (waiter.timer !== undefined) this._clock.clearTimeout(waiter.timer);
    waiter.timer = undefined;
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }
}
