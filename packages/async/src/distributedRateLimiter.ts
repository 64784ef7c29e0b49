import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { type Clock, systemClock } from './clock.js';
import { abortedError, closedError, RateLimitedError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zClock, zNonNegMs, zObject } from './options.js';
import { budgetLeft, type HeaderSource, parseRateLimitHeaders } from './rateLimitHeaders.js';
import { type AcquireOptions, type RateLimit, type Reservation } from './rateLimiter.js';
import { sleep } from './retry.js';

const optionsSchema = z.object({
  name: z.string().min(1).default('distributed-rate-limiter'),
  /** A connected node-redis (`redis` >= 4) client; it stays yours to close. */
  redis: zObject<object>('a connected node-redis client'),
  /** Prefix of the Redis keys; processes sharing a budget use the same prefix and key. */
  keyPrefix: z.string().min(1).default('hp:async:rl'),
  /** The budget's name (e.g. provider + model); default 'default'. */
  key: z.string().min(1).default('default'),
  requestsPerInterval: z.number().int().positive().optional(),
  tokensPerInterval: z.number().int().positive().optional(),
  /** Window in ms, a whole number of seconds (rate-limiter-flexible counts in fixed windows of seconds). */
  interval: z
    .number()
    .int()
    .min(1000)
    .refine((v) => v % 1000 === 0, { message: 'must be a whole number of seconds, in ms' })
    .default(60_000),
  /** Default bound on one acquire() wait, in ms. */
  maxWait: zNonNegMs.optional(),
  defaultPause: zNonNegMs.default(1000),
  maxPause: zNonNegMs.default(120_000),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type DistributedRateLimiterOptions = z.input<typeof optionsSchema> & {
  key_prefix?: string;
  requests_per_interval?: number;
  tokens_per_interval?: number;
  max_wait?: number;
};

class DistributedReservation implements Reservation {
  private _done = false;
  constructor(
    private readonly _limiter: DistributedRateLimiter,
    readonly tokens: number,
  ) {}

  settle(actualTokens?: number, headers?: HeaderSource): void {
    if (!this._done) {
      this._done = true;
      if (actualTokens !== undefined && Number.isFinite(actualTokens) && actualTokens >= 0) {
        this._limiter._track(this._limiter._adjustTokens(Math.ceil(actualTokens) - this.tokens));
      }
    }
    if (headers) this._limiter.observe(undefined, headers);
  }

  cancel(): void {
    if (this._done) return;
    this._done = true;
    this._limiter._track(this._limiter._refund(this.tokens));
  }
}

/**
 * Requests and tokens per interval shared by every process that uses the same Redis key: the
 * counting is rate-limiter-flexible's RateLimiterRedis (atomic Lua, fixed windows). A 429 seen by
 * any process blocks the budget for everyone for its retry-after. Reservations settle with the
 * real token usage (reward or penalty).
 */
export class DistributedRateLimiter implements RateLimit, MetricsSource {
  readonly name: string;
  private readonly _requests: RateLimiterRedis | undefined;
  private readonly _tokens: RateLimiterRedis | undefined;
  private readonly _key: string;
  private readonly _maxWait: number | undefined;
  private readonly _defaultPause: number;
  private readonly _maxPause: number;
  private readonly _clock: Clock;
  private readonly _tokenLimit: number;
  private readonly _unregister: () => void;
  private readonly _closer = new AbortController();
  private readonly _ops = new Set<Promise<void>>();
  readonly stats = { granted: 0, waits: 0, pauses: 0, rejected: 0, errors: 0, transient429s: 0 };

  constructor(options: DistributedRateLimiterOptions) {
    const o = parseOptions(optionsSchema, options, 'DistributedRateLimiter');
    this.name = o.name;
    const duration = o.interval / 1000;
    const make = (suffix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: o.redis,
        useRedisPackage: true,
        keyPrefix: `${o.keyPrefix}:${suffix}`,
        points,
        duration,
      });
    this._requests = o.requestsPerInterval !== undefined ? make('req', o.requestsPerInterval) : undefined;
    this._tokens = o.tokensPerInterval !== undefined ? make('tok', o.tokensPerInterval) : undefined;
    this._tokenLimit = o.tokensPerInterval ?? Infinity;
    this._key = o.key;
    this._maxWait = o.maxWait;
    this._defaultPause = o.defaultPause;
    this._maxPause = o.maxPause;
    this._clock = o.clock ?? systemClock;
    this._unregister = (o.metrics ?? defaultAsyncMetrics()).register(this);
  }

  /** Waits until the shared budget grants one request and `tokens`; RateLimitedError beyond `maxWait`. */
  async acquire(tokens = 0, options: AcquireOptions = {}): Promise<Reservation> {
    const signal = options.signal
      ? AbortSignal.any([options.signal, this._closer.signal])
      : this._closer.signal;
    const maxWait = options.maxWait ?? this._maxWait;
    const points = Math.ceil(tokens);
    if (points > this._tokenLimit)
      throw new RateLimitedError(Infinity, `a request of ${points} tokens exceeds the limit`);
    const start = this._clock.now();
    let waited = false;
    for (;;) {
      if (this._closer.signal.aborted) throw closedError(`DistributedRateLimiter "${this.name}"`);
      if (signal.aborted) throw abortedError(signal, 'rate limit wait');
      const wait = await this._tryOnce(points);
      if (wait === 0) {
        this.stats.granted++;
        return new DistributedReservation(this, points);
      }
      const elapsed = this._clock.now() - start;
      if (maxWait !== undefined && elapsed + wait > maxWait) {
        this.stats.rejected++;
        throw new RateLimitedError(wait);
      }
      if (!waited) this.stats.waits++;
      waited = true;
      try {
        await sleep(this._clock, wait, signal);
      } catch (error) {
        if (this._closer.signal.aborted) throw closedError(`DistributedRateLimiter "${this.name}"`);
        throw error;
      }
    }
  }

  /**
   * A 429 (from any process) blocks the shared budget for its retry-after, in whole seconds
   * (rate-limiter-flexible's unit), so every process pauses once; unless its headers show budget left
   * (then only that request waits, through its retry policy).
   */
  observe(status: number | undefined, headers: HeaderSource | undefined): void {
    if (status !== 429) return;
    const info = headers ? parseRateLimitHeaders(headers, Date.now()) : {};
    if (budgetLeft(info)) {
      this.stats.transient429s++;
      return;
    }
    this._track(this.pause(info.retryAfterMs ?? this._defaultPause).catch(() => void this.stats.errors++));
  }

  /** Blocks the shared budget for `ms` (rounded up to whole seconds, at least 1 s). */
  async pause(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) return;
    const seconds = Math.max(1, Math.ceil(Math.min(ms, this._maxPause) / 1000));
    this.stats.pauses++;
    await Promise.all([this._requests, this._tokens].map((l) => l?.block(this._key, seconds)));
  }

  collect(): Record<string, number> {
    return {
      'rate_limit.pauses': this.stats.pauses,
      'rate_limit.waits': this.stats.waits,
      'rate_limit.transient_429s': this.stats.transient429s,
    };
  }

  /** Rejects waiting acquire() calls with CLOSED. The Redis client is not closed (it is the caller's). */
  close(): void {
    this._closer.abort(closedError(`DistributedRateLimiter "${this.name}"`));
    this._unregister();
  }

  /** Resolves when the Redis updates fired by settle(), cancel() and observe() have landed. */
  async flush(): Promise<void> {
    while (this._ops.size > 0) await Promise.all([...this._ops]);
  }

  /** @internal */
  _track(op: Promise<void>): void {
    this._ops.add(op);
    void op.finally(() => this._ops.delete(op));
  }

  /** @internal */
  async _adjustTokens(delta: number): Promise<void> {
    if (!this._tokens || delta === 0) return;
    try {
      if (delta > 0) await this._tokens.penalty(this._key, delta);
      else await this._tokens.reward(this._key, -delta);
    } catch {
      this.stats.errors++;
    }
  }

  /** @internal */
  async _refund(tokens: number): Promise<void> {
    try {
      await Promise.all([
        this._requests?.reward(this._key, 1),
        tokens > 0 ? this._tokens?.reward(this._key, tokens) : 0,
      ]);
    } catch {
      this.stats.errors++;
    }
  }

  /** 0 when granted, else ms to wait. Redis errors propagate (the caller decides). */
  private async _tryOnce(points: number): Promise<number> {
    if (this._requests) {
      const r = await consume(this._requests, this._key, 1);
      if (r !== 0) return r;
    }
    if (this._tokens && points > 0) {
      const t = await consume(this._tokens, this._key, points);
      if (t !== 0) {
        // Give the request back: this attempt did not go out.
        if (this._requests) await this._requests.reward(this._key, 1);
        return t;
      }
    }
    return 0;
  }
}

async function consume(limiter: RateLimiterRedis, key: string, points: number): Promise<number> {
  try {
    await limiter.consume(key, points);
    return 0;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      // Rejected consumes count too in fixed windows: give them back so waiting does not burn budget.
      await limiter.reward(key, points);
      return Math.max(1, rejection.msBeforeNext);
    }
    throw rejection;
  }
}
