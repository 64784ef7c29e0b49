import {
  CircuitBreaker,
  type BreakerState,
  type BreakerStats,
  type CircuitBreakerOptions,
} from './circuitBreaker.js';
import { type UseContext, type UseOptions } from './pool.js';
import { PoolError } from './poolError.js';

/** What a failover pair needs of a pool (a {@link Pool} satisfies it). */
export interface UsablePool<T> {
  readonly name: string;
  use<R>(fn: (resource: T, ctx: UseContext) => Promise<R> | R, options?: UseOptions): Promise<R>;
}

export type Route = 'primary' | 'fallback';

export interface FailoverOptions<P, F> {
  /** Name used in errors. Default `<primary>-><fallback>`. */
  name?: string;
  primary: UsablePool<P>;
  fallback: UsablePool<F>;
  /** Breaker settings, or a breaker to share. */
  breaker?: CircuitBreakerOptions | CircuitBreaker;
  /**
   * Whether an error counts against the primary (and moves the call to the fallback). Default: every
   * error except an abort by the caller. Return false for errors that prove the primary is alive
   * (e.g. an HTTP 400 caused by the request itself).
   */
  isFailure?: (error: unknown) => boolean;
  /** Retry a call that failed on the primary once on the fallback. Default true. */
  retryOnFallback?: boolean;
}

export interface FailoverStats {
  breaker: BreakerStats;
  primaryCalls: number;
  primaryFailures: number;
  fallbackCalls: number;
  fallbackFailures: number;
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof PoolError && err.code === 'ABORTED');
}

/**
 * A primary/fallback pair (the sketch's llm_primary -> llm_fallback) behind a circuit breaker: calls go to
 * the primary while it works; after `failureThreshold` consecutive failures they go to the fallback, and
 * after `resetTimeoutMs` one call probes the primary, which closes the circuit again if it succeeds.
 */
export class Failover<P, F = P> {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  private readonly _primary: UsablePool<P>;
  private readonly _fallback: UsablePool<F>;
  private readonly _isFailure: (error: unknown) => boolean;
  private readonly _retry: boolean;
  private _primaryCalls = 0;
  private _primaryFailures = 0;
  private _fallbackCalls = 0;
  private _fallbackFailures = 0;

  constructor(options: FailoverOptions<P, F>) {
    this._primary = options.primary;
    this._fallback = options.fallback;
    this.name = options.name ?? `${options.primary.name}->${options.fallback.name}`;
    this.breaker =
      options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker(options.breaker);
    this._isFailure = options.isFailure ?? (() => true);
    this._retry = options.retryOnFallback ?? true;
  }

  get state(): BreakerState {
    return this.breaker.state;
  }

  /** Runs `fn` on a resource of the primary, or of the fallback when the primary is failing. */
  async use<R>(
    fn: (resource: P | F, route: Route, ctx: UseContext) => Promise<R> | R,
    options?: UseOptions,
  ): Promise<R> {
    let primaryError: unknown;
    let triedPrimary = false;
    if (this.breaker.tryAcquire()) {
      triedPrimary = true;
      this._primaryCalls++;
      try {
        const result = await this._primary.use((r, ctx) => fn(r, 'primary', ctx), options);
        this.breaker.onSuccess();
        return result;
      } catch (err) {
        if (isAbort(err, options?.signal)) {
          this.breaker.onSuccess(); // says nothing about the primary; frees a half-open probe slot
          throw err;
        }
        if (!this._isFailure(err)) {
          this.breaker.onSuccess();
          throw err;
        }
        this._primaryFailures++;
        this.breaker.onFailure();
        if (!this._retry) throw err;
        primaryError = err;
      }
    }
    this._fallbackCalls++;
    try {
      return await this._fallback.use((r, ctx) => fn(r, 'fallback', ctx), options);
    } catch (err) {
      this._fallbackFailures++;
      if (!triedPrimary || isAbort(err, options?.signal)) throw err;
      throw new PoolError('UNAVAILABLE', this.name, 'the primary and then the fallback failed', {
        cause: new AggregateError([primaryError, err], 'primary and fallback failed'),
      });
    }
  }

  stats(): FailoverStats {
    return {
      breaker: this.breaker.stats(),
      primaryCalls: this._primaryCalls,
      primaryFailures: this._primaryFailures,
      fallbackCalls: this._fallbackCalls,
      fallbackFailures: this._fallbackFailures,
    };
  }
}
