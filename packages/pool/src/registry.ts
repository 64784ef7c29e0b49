import { AdaptiveSizer, type AdaptiveSizerOptions, type Knob } from './adaptiveSizer.js';
import { type CircuitBreakerOptions } from './circuitBreaker.js';
import { Failover } from './failover.js';
import { Pool, type PoolFactory, type PoolStats, type UseContext, type UseOptions } from './pool.js';
import {
  DEFAULT_POOL_CONFIGS,
  parsePoolConfig,
  PoolConfigError,
  type PoolConfigInput,
} from './poolConfig.js';
import { PoolError } from './poolError.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFactory = PoolFactory<any>;
type ResourceOf<X> = X extends PoolFactory<infer T> ? T : never;

export interface FailoverConfig {
  primary: string;
  fallback: string;
  breaker?: CircuitBreakerOptions;
  retryOnFallback?: boolean;
  isFailure?: (error: unknown) => boolean;
}

export interface PoolRegistryOptions<F extends Record<string, AnyFactory>> {
  /** Named configs (the sketch's PoolConfig, seconds). Default: {@link DEFAULT_POOL_CONFIGS}. */
  pools?: Record<string, PoolConfigInput>;
  /** A factory per pool name (postgresFactory, redisFactory, httpFactory or your own). */
  factories: F;
  /** Named primary/fallback pairs, e.g. `{ llm: { primary: 'llm_primary', fallback: 'llm_fallback' } }`. */
  failover?: Record<string, FailoverConfig>;
  /** Start an AdaptiveSizer on every pool when it is created. Default off. */
  adaptive?: AdaptiveSizerOptions | false;
  /** Clock for the pools (ms, monotonic). */
  now?: () => number;
  log?: (message: string) => void;
}

/**
 * The sketch's SmartConnectionManager: named pools created on first use from their config, each
 * keeping its min_size open, optionally sized by an AdaptiveSizer, plus named failover pairs.
 * Every config, factory name and failover name is checked at construction.
 */
export class PoolRegistry<F extends Record<string, AnyFactory> = Record<string, AnyFactory>> {
  private readonly _configs: Record<string, PoolConfigInput>;
  private readonly _options: PoolRegistryOptions<F>;
  private readonly _pools = new Map<string, Pool<unknown>>();
  private readonly _sizers = new Map<string, AdaptiveSizer>();
  private readonly _failovers = new Map<string, Failover<unknown, unknown>>();
  private _closed = false;

  constructor(options: PoolRegistryOptions<F>) {
    this._options = options;
    this._configs = options.pools ?? DEFAULT_POOL_CONFIGS;
    for (const [name, config] of Object.entries(this._configs)) parsePoolConfig(config, `pools.${name}`);
    for (const name of Object.keys(options.factories ?? {})) {
      if (!(name in this._configs)) {
        throw new PoolConfigError('UNKNOWN_POOL', `factories.${name}`, `no pool named "${name}" in pools`);
      }
    }
    for (const [name, pair] of Object.entries(options.failover ?? {})) {
      for (const side of ['primary', 'fallback'] as const) {
        const target = pair[side];
        if (!(target in this._configs) || !(target in options.factories)) {
          throw new PoolConfigError(
            'UNKNOWN_POOL',
            `failover.${name}.${side}`,
            `no pool with a factory named "${target}"`,
          );
        }
      }
    }
  }

  /** Names of the configured pools. */
  names(): string[] {
    return Object.keys(this._configs);
  }

  /** The pool of that name, created (and its min_size opened) on first use. */
  get<K extends keyof F & string>(name: K): Pool<ResourceOf<F[K]>> {
    if (this._closed) throw new PoolError('CLOSED', name, 'the registry is closed');
    let pool = this._pools.get(name);
    if (pool === undefined) {
      if (!(name in this._configs)) {
        throw new PoolConfigError(
          'UNKNOWN_POOL',
          name,
          `no pool named "${name}"; configured: ${this.names().join(', ')}`,
        );
      }
      const factory = this._options.factories[name];
      if (factory === undefined) {
        throw new PoolConfigError('INVALID_CONFIG', `factories.${name}`, `pool "${name}" has no factory`);
      }
      pool = new Pool<unknown>({
        name,
        factory,
        config: this._configs[name],
        now: this._options.now,
        log: this._options.log,
      });
      this._pools.set(name, pool);
      if (this._options.adaptive) {
        const sizer = new AdaptiveSizer(pool, {
          maxSize: pool.config.maxSize * 2,
          ...this._options.adaptive,
        });
        sizer.start();
        this._sizers.set(name, sizer);
      }
    }
    return pool as Pool<ResourceOf<F[K]>>;
  }

  /** The sketch's get_optimized_connection, as a scoped call: acquire from the named pool, run, release. */
  use<K extends keyof F & string, R>(
    name: K,
    fn: (resource: ResourceOf<F[K]>, ctx: UseContext) => Promise<R> | R,
    options?: UseOptions,
  ): Promise<R> {
    return this.get(name).use(fn, options);
  }

  /** The named failover pair (its pools are created on first use). */
  failover<R = unknown>(name: string): Failover<R, R> {
    let pair = this._failovers.get(name);
    if (pair === undefined) {
      const cfg = this._options.failover?.[name];
      if (cfg === undefined)
        throw new PoolConfigError('UNKNOWN_POOL', `failover.${name}`, 'no such failover pair');
      pair = new Failover<unknown, unknown>({
        name,
        primary: this.get(cfg.primary),
        fallback: this.get(cfg.fallback),
        breaker: cfg.breaker,
        retryOnFallback: cfg.retryOnFallback,
        isFailure: cfg.isFailure,
      });
      this._failovers.set(name, pair);
    }
    return pair as Failover<R, R>;
  }

  /** Creates the named pools now (all with a factory by default), so their min_size opens at start. */
  warmUp(names: string[] = Object.keys(this._options.factories)): void {
    for (const name of names) this.get(name as keyof F & string);
  }

  /** The adaptive sizer of a created pool (when `adaptive` is on). */
  sizer(name: string): AdaptiveSizer | undefined {
    return this._sizers.get(name);
  }

  /** max_size knobs of the created pools, for @hp/optimizer. */
  knobs(): Knob[] {
    const out: Knob[] = [];
    for (const [name, pool] of this._pools) {
      // bounds from the configured max (not the current one, which a knob may already have moved)
      out.push(
        this._sizers.get(name)?.knob ?? new AdaptiveSizer(pool, { maxSize: pool.config.maxSize * 2 }).knob,
      );
    }
    return out;
  }

  stats(): Record<string, PoolStats> {
    const out: Record<string, PoolStats> = {};
    for (const [name, pool] of this._pools) out[name] = pool.stats();
    return out;
  }

  /** Closes every created pool (see Pool.close) and stops the sizers. */
  async close(options?: { timeoutMs?: number }): Promise<void> {
    this._closed = true;
    for (const s of this._sizers.values()) s.stop();
    await Promise.all([...this._pools.values()].map((p) => p.close(options)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
