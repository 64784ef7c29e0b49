// Hand-written: p-retry / async-retry do backoff but have no retry budget shared across calls, no
// Retry-After handling and no injectable clock; the budget follows gRPC's retry throttling and
// Finagle's RetryBudget (retries limited to a fraction of first attempts).
import { z } from 'zod';
import { type Clock, systemClock } from './clock.js';
import { abortedError, AsyncError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zClock, zNonNegMs, zObject, zPosInt, zRng, zFunction } from './options.js';
import { seededRng, type Rng } from './random.js';
import { headersOf, parseRateLimitHeaders, statusOf } from './rateLimitHeaders.js';

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** An error a task can throw to say "this may succeed if tried again". */
export class RetryableError extends Error {
  override name = 'RetryableError';
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * Whether an error is marked retryable: `retryable: true` on the error, an `x-should-retry` header,
 * an HTTP status 408/409/429/5xx (as the OpenAI and Anthropic SDKs decide), or a transient network
 * code. Errors of @hp/async itself (timeouts, aborts, closed, full) are not retried.
 */
export function isRetryable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const marked = (error as { retryable?: unknown }).retryable;
  if (marked === true) return true;
  if (marked === false || error instanceof AsyncError) return false;
  const headers = headersOf(error);
  if (headers) {
    const should = (parseHeader(headers, 'x-should-retry') ?? '').toLowerCase();
    if (should === 'true') return true;
    if (should === 'false') return false;
  }
  const status = statusOf(error);
  if (status !== undefined) return RETRYABLE_STATUS.has(status);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

function parseHeader(headers: object, name: string): string | undefined {
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const v = typeof h.get === 'function' ? h.get(name) : h[name];
  return typeof v === 'string' ? v : undefined;
}

/** ms the error asks to wait (RetryableError.retryAfterMs, retry-after-ms or retry-after header). */
export function retryAfterOf(error: unknown, now = Date.now()): number | undefined {
  if (error instanceof RetryableError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const headers = headersOf(error);
  return headers ? parseRateLimitHeaders(headers, now).retryAfterMs : undefined;
}

/**
 * A token bucket of retries: every first attempt deposits `ratio` tokens (up to `max_tokens`), every
 * retry withdraws one. Under a full outage retries stop after the bucket empties, so retries add at
 * most `ratio` of the load (plus `max_tokens` once): failures never amplify load.
 */
export class RetryBudget {
  private _tokens: number;
  constructor(
    readonly ratio: number,
    readonly maxTokens: number,
  ) {
    this._tokens = maxTokens;
  }

  get tokens(): number {
    return this._tokens;
  }

  deposit(): void {
    this._tokens = Math.min(this.maxTokens, this._tokens + this.ratio);
  }

  tryWithdraw(): boolean {
    if (this._tokens < 1) return false;
    this._tokens -= 1;
    return true;
  }
}

const budgetSchema = z
  .object({
    ratio: z.number().min(0).max(10).finite().optional(),
    maxTokens: z.number().min(0).finite().optional(),
    max_tokens: z.number().min(0).finite().optional(),
  })
  .strict();

const optionsSchema = z.object({
  name: z.string().min(1).default('retry'),
  /** Attempts in all, the first included. */
  maxAttempts: zPosInt.max(100).default(4),
  baseDelay: zNonNegMs.default(500),
  maxDelay: zNonNegMs.default(30_000),
  multiplier: z.number().min(1).finite().default(2),
  /** A Retry-After longer than this ends the retries (the error is thrown). */
  maxRetryAfter: zNonNegMs.default(120_000),
  /** Retry budget `{ ratio, max_tokens }` (default 0.2 and 10), or false for none. */
  budget: z.union([z.literal(false), budgetSchema]).default({}),
  retryable: zFunction<(error: unknown) => boolean>().optional(),
  seed: z.number().int().optional(),
  rng: zRng.optional(),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type RetryOptions = z.input<typeof optionsSchema> & {
  max_attempts?: number;
  base_delay?: number;
  max_delay?: number;
  max_retry_after?: number;
};

export interface RetryRunOptions {
  signal?: AbortSignal;
  /** Errors for which a retry does not draw on the budget (e.g. a 429 that paused the shared limiter). */
  budgetExempt?: (error: unknown) => boolean;
  /** Called before each retry with the attempt about to run (2, 3, ...), the delay and the error. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  /**
   * How the back-off is waited; default a timer on the policy's clock, aborted by `signal`. A TaskRunner
   * passes its queue's TaskContext.pause, so that a task waiting to retry gives its concurrency slot back.
   */
  wait?: (delayMs: number) => Promise<void>;
}

/**
 * Retries with exponential backoff and full jitter (delay uniform in [0, min(max_delay,
 * base_delay * multiplier^(n-1)))), never sooner than the error's Retry-After, only for errors
 * marked retryable, within a shared {@link RetryBudget}. Every attempt is counted in the metrics.
 */
export class RetryPolicy implements MetricsSource {
  readonly name: string;
  readonly budget: RetryBudget | undefined;
  readonly stats = { attempts: 0, retries: 0, budgetExhausted: 0, succeeded: 0, failed: 0 };
  private readonly _o: ReturnType<typeof parseOptions<typeof optionsSchema>>;
  private readonly _rng: Rng;
  private readonly _clock: Clock;
  private readonly _retryable: (error: unknown) => boolean;

  constructor(options: RetryOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'RetryPolicy');
    this._o = o;
    this.name = o.name;
    this.budget =
      o.budget === false
        ? undefined
        : new RetryBudget(o.budget.ratio ?? 0.2, o.budget.maxTokens ?? o.budget.max_tokens ?? 10);
    this._rng = o.rng ?? (o.seed !== undefined ? seededRng(o.seed) : Math.random);
    this._clock = o.clock ?? systemClock;
    this._retryable = o.retryable ?? isRetryable;
    (o.metrics ?? defaultAsyncMetrics()).register(this);
  }

  get maxAttempts(): number {
    return this._o.maxAttempts;
  }

  /** Backoff before attempt `attempt + 1` after `attempt` failed (full jitter), in ms. */
  backoff(attempt: number): number {
    const cap = Math.min(this._o.maxDelay, this._o.baseDelay * this._o.multiplier ** (attempt - 1));
    return this._rng() * cap;
  }

  /**
   * Decides whether to retry after `attempt` failed with `error`: returns the delay in ms, or
   * undefined to give up (not retryable, attempts used up, Retry-After too long, budget empty).
   */
  decide(attempt: number, error: unknown, exempt = false): number | undefined {
    if (attempt >= this._o.maxAttempts || !this._retryable(error)) return undefined;
    const after = retryAfterOf(error, this._clock.now());
    if (after !== undefined && after > this._o.maxRetryAfter) return undefined;
    if (!exempt && this.budget && !this.budget.tryWithdraw()) {
      this.stats.budgetExhausted++;
      return undefined;
    }
    return Math.max(this.backoff(attempt), after ?? 0);
  }

  /** Counts a first attempt (deposits into the budget). */
  noteFirstAttempt(): void {
    this.budget?.deposit();
  }

  /** Runs `fn(attempt, signal)` until it succeeds or a retry is refused; throws the last error. */
  async run<T>(
    fn: (attempt: number, signal?: AbortSignal) => Promise<T> | T,
    options: RetryRunOptions = {},
  ): Promise<T> {
    const { signal } = options;
    this.noteFirstAttempt();
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortedError(signal);
      this.stats.attempts++;
      if (attempt > 1) this.stats.retries++;
      try {
        const value = await fn(attempt, signal);
        this.stats.succeeded++;
        return value;
      } catch (error) {
        const delay = signal?.aborted
          ? undefined
          : this.decide(attempt, error, options.budgetExempt?.(error) ?? false);
        if (delay === undefined) {
          this.stats.failed++;
          throw error;
        }
        options.onRetry?.(attempt + 1, delay, error);
        await (options.wait ? options.wait(delay) : sleep(this._clock, delay, signal));
      }
    }
  }

  collect(): Record<string, number> {
    return {
      retries: this.stats.retries,
      'retry.attempts': this.stats.attempts,
      'retry.budget_exhausted': this.stats.budgetExhausted,
    };
  }
}

/** Waits `ms` on `clock`, rejecting with ABORTED when `signal` aborts (its timer is cleared). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
