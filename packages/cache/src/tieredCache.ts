import { z } from 'zod';
import { CacheError, invalidOption } from './cacheError.js';
import { type PolicyOption } from './evictionPolicy.js';
import { FrequencySketch } from './frequencySketch.js';
import { GuardedStore, type StoreTierOptions, type StoreTierStats } from './guardedStore.js';
import { hashKey } from './keyHash.js';
import { DEFAULT_LEVEL_RULES, LEVELS, type Level, type LevelRule, selectLevel } from './levelRules.js';
import { type Clock, type DisposeReason, MemoryCache } from './memoryCache.js';
import { randomSeed } from './random.js';
import { estimateSize } from './sizeEstimate.js';

/** One in-process tier. TTL `ttl` in ms, or `default_ttl` in seconds as in the sketch's YAML. */
export interface TierOptions {
  max?: number;
  max_size?: number;
  maxBytes?: number;
  max_bytes?: number;
  ttl?: number;
  default_ttl?: number;
  policy?: PolicyOption;
  eviction_policy?: PolicyOption;
}

export interface TieredCacheOptions {
  /** In-process tiers; `false` disables one. Defaults: the design sketch's hot/warm/cold. */
  hot?: TierOptions | false;
  warm?: TierOptions | false;
  cold?: TierOptions | false;
  /** Lower tiers over keyv (Redis, SQLite, ...), fastest first. */
  stores?: StoreTierOptions[];
  /** Level selection rules (first match wins); default: the sketch's size and key-type rules. */
  levelRules?: LevelRule[];
  level_rules?: LevelRule[];
  /** Level when no rule matches (default `warm`). */
  defaultLevel?: Level;
  /** Sketch estimate at which an entry read from warm/cold moves up one level (default 2). */
  promoteThreshold?: number;
  /** Write every set to the lower stores too (default true: they are the shared tier). */
  writeThrough?: boolean;
  /** Cache loader results that are undefined/null for this long (ms; default 0 = off). */
  negativeTtl?: number;
  /** Serve a stale value this long (ms) past its TTL while one background load refreshes it. */
  staleWhileRevalidate?: number;
  /** Loader timeout in ms (default 30,000). */
  loaderTimeoutMs?: number;
  /** Disconnect the stores' clients on close() (default true). */
  disconnectStores?: boolean;
  /** Size of a value in bytes for byte bounds and size rules (default: a cheap estimate). */
  sizeOf?: (value: unknown) => number;
  clock?: Clock;
  seed?: number;
}

export interface CacheSetOptions {
  /** TTL in ms (0 = none); default: the tier's TTL. */
  ttl?: number;
  /** Force a level instead of the rules. */
  level?: Level;
  signal?: AbortSignal;
}

export interface GetOrComputeOptions extends CacheSetOptions {
  /** Loader timeout in ms (default: the cache's loaderTimeoutMs). */
  timeoutMs?: number;
  staleWhileRevalidate?: number;
  negativeTtl?: number;
}

export interface TierStats {
  tier: Level;
  hits: number;
  misses: number;
  hitRatio: number;
  sets: number;
  deletes: number;
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  evictions: Record<DisposeReason, number>;
  /** Entries moved INTO this tier from a slower one (frequency promotion). */
  promotions: number;
  /** Entries moved INTO this tier after eviction from a faster one. */
  demotions: number;
  errors: number;
}

export interface TieredCacheStats {
  tiers: TierStats[];
  stores: StoreTierStats[];
  /** Lookups answered by any tier / all lookups. */
  hits: number;
  misses: number;
  hitRatio: number;
  loader: {
    calls: number;
    coalesced: number;
    errors: number;
    timeouts: number;
    staleServed: number;
    totalMs: number;
  };
}

const DEFAULT_TIERS: Record<Level, TierOptions> = {
  hot: { max: 500, ttl: 60_000, policy: 'w-tinylfu', maxBytes: 16 * 2 ** 20 },
  warm: { max: 2000, ttl: 300_000, policy: 'lru', maxBytes: 64 * 2 ** 20 },
  cold: { max: 10_000, ttl: 3_600_000, policy: 'lfu', maxBytes: 256 * 2 ** 20 },
};

const policy = z.enum(['lru', 'lfu', 'w-tinylfu', 'lru_with_frequency', 'tinylfu']);
const tier = z.union([
  z.literal(false),
  z.object({
    max: z.number().int().positive().optional(),
    max_size: z.number().int().positive().optional(),
    maxBytes: z.number().positive().optional(),
    max_bytes: z.number().positive().optional(),
    ttl: z.number().nonnegative().optional(),
    default_ttl: z.number().nonnegative().optional(),
    policy: policy.optional(),
    eviction_policy: policy.optional(),
  }),
]);
const rule = z.object({
  level: z.enum(['hot', 'warm', 'cold']),
  minBytes: z.number().nonnegative().optional(),
  keyIncludes: z.string().optional(),
  keyPrefix: z.string().optional(),
  keyPattern: z.instanceof(RegExp).optional(),
});
const store = z.object({
  name: z.string().min(1),
  store: z.custom<StoreTierOptions['store']>(
    (v) => typeof v === 'object' && v !== null,
    'a Keyv or keyv store',
  ),
  namespace: z.string().optional(),
  timeoutMs: z.number().positive().optional(),
  connectTimeoutMs: z.number().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
  cooldownMs: z.number().nonnegative().optional(),
  ttl: z.number().nonnegative().optional(),
});
const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const schema = z.object({
  hot: tier.optional(),
  warm: tier.optional(),
  cold: tier.optional(),
  stores: z.array(store).optional(),
  levelRules: z.array(rule).optional(),
  level_rules: z.array(rule).optional(),
  defaultLevel: z.enum(['hot', 'warm', 'cold']).optional(),
  promoteThreshold: z.number().int().min(1).max(15).optional(),
  writeThrough: z.boolean().optional(),
  negativeTtl: z.number().nonnegative().optional(),
  staleWhileRevalidate: z.number().nonnegative().optional(),
  loaderTimeoutMs: z.number().positive().optional(),
  disconnectStores: z.boolean().optional(),
  sizeOf: fn.optional(),
  clock: fn.optional(),
  seed: z.number().int().optional(),
});

function abortedError(signal: AbortSignal): CacheError {
  return new CacheError(
    'ABORTED',
    'the caller aborted the wait (the shared load goes on for other callers)',
    {
      cause: signal.reason,
    },
  );
}

/** What the in-process tiers hold: the value and its deadlines (absolute ms, 0 = none). */
class Entry {
  constructor(
    readonly v: unknown,
    /** expires */
    readonly e: number,
    /** fresh until (stale-while-revalidate), 0 = fresh until it expires */
    readonly f: number,
    /** negative (cached absence) */
    readonly n: boolean,
  ) {}
}

interface Tier {
  level: Level;
  cache: MemoryCache<string, Entry>;
  ttl: number;
  promotions: number;
  demotions: number;
  sets: number;
  deletes: number;
  errors: number;
}

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
}

/**
 * Hot/warm/cold in-process tiers (W-TinyLFU / LRU / LFU by default, as in the design sketch) over
 * optional keyv stores (Redis, SQLite, ...). Level chosen by rules on size and key; entries read from
 * a slower tier move up once the frequency sketch says they are popular; entries evicted from a
 * faster tier move down. getOrCompute adds single-flight, stale-while-revalidate, negative caching,
 * a loader timeout and AbortSignal. A failing store is skipped (timeout + circuit breaker).
 */
export class TieredCache<V = unknown> {
  private readonly _tiers: Tier[] = [];
  private readonly _byLevel: Partial<Record<Level, Tier>> = {};
  private readonly _stores: GuardedStore[];
  private readonly _rules: readonly LevelRule[];
  private readonly _defaultLevel: Level;
  private readonly _promoteThreshold: number;
  private readonly _writeThrough: boolean;
  private readonly _negativeTtl: number;
  private readonly _swr: number;
  private readonly _loaderTimeoutMs: number;
  private readonly _disconnectStores: boolean;
  private readonly _sizeOf: (v: unknown) => number;
  private readonly _clock: Clock;
  private readonly _seed: number;
  private readonly _sketch: FrequencySketch;
  private readonly _first: MemoryCache<string, Entry> | undefined;
  private readonly _inflight = new Map<string, Flight>();
  private readonly _background = new Set<Promise<unknown>>();
  private _closed = false;
  private _hits = 0;
  private _misses = 0;
  private readonly _loader = { calls: 0, coalesced: 0, errors: 0, timeouts: 0, staleServed: 0, totalMs: 0 };

  constructor(options: TieredCacheOptions = {}) {
    const parsed = schema.safeParse(options);
    if (!parsed.success) throw invalidOption('TieredCache', parsed.error.issues);
    const o = parsed.data;
    this._clock = options.clock ?? Date.now;
    this._seed = o.seed ?? randomSeed();
    this._sizeOf = options.sizeOf ?? estimateSize;
    this._rules = options.levelRules ?? options.level_rules ?? DEFAULT_LEVEL_RULES;
    this._defaultLevel = o.defaultLevel ?? 'warm';
    this._promoteThreshold = o.promoteThreshold ?? 2;
    this._writeThrough = o.writeThrough ?? true;
    this._negativeTtl = o.negativeTtl ?? 0;
    this._swr = o.staleWhileRevalidate ?? 0;
    this._loaderTimeoutMs = o.loaderTimeoutMs ?? 30_000;
    this._disconnectStores = o.disconnectStores ?? true;
    let capacity = 0;
    for (const level of LEVELS) {
      const given = options[level];
      if (given === false) continue;
      const t = { ...DEFAULT_TIERS[level], ...(given ?? {}) };
      const ttl =
        given?.ttl ??
        (given?.default_ttl !== undefined ? given.default_ttl * 1000 : DEFAULT_TIERS[level].ttl!);
      const tierObj: Tier = {
        level,
        ttl,
        promotions: 0,
        demotions: 0,
        sets: 0,
        deletes: 0,
        errors: 0,
        cache: new MemoryCache<string, Entry>({
          max: t.max_size ?? t.max!,
          maxBytes: t.max_bytes ?? t.maxBytes!,
          sizeCalculation: (e, k) => 64 + 2 * k.length + (e.n ? 0 : this._sizeOf(e.v)),
          ttl,
          policy: t.eviction_policy ?? t.policy!,
          clock: this._clock,
          seed: this._seed,
          dispose: (k, e, reason) => {
            if (reason === 'evict') this._demote(level, k, e);
          },
        }),
      };
      capacity += tierObj.cache.max;
      this._tiers.push(tierObj);
      this._byLevel[level] = tierObj;
    }
    this._first = this._tiers[0]?.cache;
    this._sketch = new FrequencySketch(Math.max(16, capacity), this._seed ^ 0x2545f491);
    this._stores = (options.stores ?? []).map((s) => new GuardedStore(s, this._clock));
  }

  /** The in-process tier objects (for resize knobs and tests). */
  tier(level: Level): MemoryCache<string, unknown> | undefined {
    return this._byLevel[level]?.cache as MemoryCache<string, unknown> | undefined;
  }

  /** Reads a key: in-process tiers first (a hot hit resolves without touching anything else), then the stores. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<V | undefined> {
    const first = this._first;
    if (first !== undefined) {
      const e = first.get(key);
      if (e !== undefined) {
        this._hits++;
        return Promise.resolve((e.n ? undefined : e.v) as V | undefined);
      }
    }
    return this._getSlow(key, options?.signal);
  }

  private async _getSlow(key: string, signal?: AbortSignal): Promise<V | undefined> {
    const e = this._lookupLocal(key, true);
    if (e !== undefined) {
      this._hits++;
      return (e.n ? undefined : e.v) as V | undefined;
    }
    const v = await this._lookupStores(key, signal);
    if (v === undefined) this._misses++;
    else this._hits++;
    return v as V | undefined;
  }

  async has(key: string, options?: { signal?: AbortSignal }): Promise<boolean> {
    for (const t of this._tiers) {
      const e = t.cache.peek(key);
      if (e !== undefined) return !e.n;
    }
    for (const s of this._stores) if ((await s.get(key, options?.signal)) !== undefined) return true;
    return false;
  }

  /** Stores a value at the level its size and key select (or `options.level`), and writes through to the stores. */
  async set(key: string, value: V, options?: CacheSetOptions): Promise<void> {
    this._checkOpen();
    const entry = this._setLocal(key, value, options?.level, options?.ttl, 0, false);
    if (this._writeThrough && this._stores.length > 0) {
      const ttl = entry ? (entry.e === 0 ? 0 : entry.e - this._clock()) : (options?.ttl ?? 0);
      await Promise.all(this._stores.map((s) => s.set(key, value, ttl, options?.signal)));
    }
  }

  async delete(key: string, options?: { signal?: AbortSignal }): Promise<boolean> {
    let found = false;
    for (const t of this._tiers) {
      if (t.cache.delete(key)) {
        t.deletes++;
        found = true;
      }
    }
    this._inflight.get(key)?.controller.abort(new CacheError('ABORTED', `${key} was deleted while loading`));
    const results = await Promise.all(this._stores.map((s) => s.delete(key, options?.signal)));
    return found || results.some(Boolean);
  }

  /** Empties every tier and store (stores: only this cache's namespace). */
  async clear(options?: { signal?: AbortSignal }): Promise<void> {
    for (const t of this._tiers) t.cache.clear();
    await Promise.all(this._stores.map((s) => s.clear(options?.signal)));
  }

  /**
   * Deletes every key starting with `prefix` from the in-process tiers and from the stores (stores
   * that keyv can iterate: Redis, Map, SQL stores; a store that cannot list its keys is left as is
   * and `false` is returned).
   */
  async deletePrefix(prefix: string, options?: { signal?: AbortSignal }): Promise<boolean> {
    for (const t of this._tiers) {
      for (const [key] of t.cache.entries()) {
        if (key.startsWith(prefix) && t.cache.delete(key)) t.deletes++;
      }
    }
    for (const [key, flight] of this._inflight)
      if (key.startsWith(prefix))
        flight.controller.abort(new CacheError('ABORTED', `${key} was deleted while loading`));
    const results = await Promise.all(this._stores.map((s) => s.clearPrefix(prefix, options?.signal)));
    return results.every(Boolean);
  }

  /**
   * Live entries whose key starts with `prefix`: the in-process tiers first, then the stores' keys not
   * seen yet (stores keyv can iterate), at most `limit` (default 100,000) in all.
   */
  async entriesWithPrefix(
    prefix: string,
    options?: { signal?: AbortSignal; limit?: number },
  ): Promise<Array<[string, V]>> {
    const limit = options?.limit ?? 100_000;
    const out: Array<[string, V]> = [];
    const seen = new Set<string>();
    for (const t of this._tiers) {
      for (const [key, e] of t.cache.entries()) {
        if (out.length >= limit) return out;
        if (e.n || !key.startsWith(prefix) || seen.has(key)) continue;
        seen.add(key);
        out.push([key, e.v as V]);
      }
    }
    for (const s of this._stores) {
      const listed = await s.list(prefix, limit, options?.signal);
      for (const [key, value] of listed ?? []) {
        if (out.length >= limit) return out;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([key, value as V]);
      }
    }
    return out;
  }

  /**
   * The cached value, or the loader's result (stored at the selected level and written through).
   * Concurrent calls for one key share one loader call. The loader gets a signal that aborts on
   * timeout, on close() and on delete(key); the caller's signal only stops the caller's wait.
   */
  async getOrCompute(
    key: string,
    loader: (signal: AbortSignal) => Promise<V> | V,
    options: GetOrComputeOptions = {},
  ): Promise<V> {
    this._checkOpen();
    if (options.signal?.aborted) throw abortedError(options.signal);
    const local = this._lookupLocal(key, false);
    if (local !== undefined) {
      this._hits++;
      if (local.f !== 0 && local.f <= this._clock()) {
        this._loader.staleServed++;
        if (!this._inflight.has(key)) {
          const p = this._startLoad(key, loader, options).promise.catch(() => undefined);
          this._track(p);
        }
      }
      return local.v as V;
    }
    const flight = this._inflight.get(key);
    if (flight !== undefined) {
      this._loader.coalesced++;
      return this._wait(flight.promise, options.signal) as Promise<V>;
    }
    const stored = await this._lookupStores(key, options.signal);
    if (stored !== undefined) {
      this._hits++;
      return stored as V;
    }
    this._misses++;
    const again = this._inflight.get(key);
    if (again !== undefined) {
      this._loader.coalesced++;
      return this._wait(again.promise, options.signal) as Promise<V>;
    }
    return this._wait(this._startLoad(key, loader, options).promise, options.signal) as Promise<V>;
  }

  /** Wraps a function so calls go through getOrCompute under `keyOf(...args)`. */
  wrap<A extends unknown[]>(
    fn: (...args: A) => Promise<V> | V,
    keyOf: (...args: A) => string,
    options?: Omit<GetOrComputeOptions, 'signal'>,
  ): (...args: A) => Promise<V> {
    return (...args: A) => this.getOrCompute(keyOf(...args), () => fn(...args), options);
  }

  private _startLoad(
    key: string,
    loader: (signal: AbortSignal) => Promise<V> | V,
    options: GetOrComputeOptions,
  ): Flight {
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this._loaderTimeoutMs;
    const swr = options.staleWhileRevalidate ?? this._swr;
    const negativeTtl = options.negativeTtl ?? this._negativeTtl;
    this._loader.calls++;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const promise = (async () => {
      try {
        const aborted = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            this._loader.timeouts++;
            controller.abort(
              new CacheError('LOADER_TIMEOUT', `loader for ${key} took longer than ${timeoutMs} ms`),
            );
          }, timeoutMs);
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        });
        aborted.catch(() => undefined);
        const value = await Promise.race([Promise.resolve().then(() => loader(controller.signal)), aborted]);
        if (value === undefined || value === null) {
          if (negativeTtl > 0) this._setLocal(key, undefined, options.level, negativeTtl, 0, true);
          return value;
        }
        const ttl = options.ttl;
        const entry = this._setLocal(key, value, options.level, ttl, swr, false);
        if (this._writeThrough && this._stores.length > 0) {
          const left = entry ? (entry.e === 0 ? 0 : entry.e - this._clock()) : (ttl ?? 0);
          this._track(Promise.all(this._stores.map((s) => s.set(key, value, left))));
        }
        return value;
      } catch (error) {
        this._loader.errors++;
        throw error;
      } finally {
        clearTimeout(timer);
        this._loader.totalMs += performance.now() - started;
        this._inflight.delete(key);
      }
    })();
    promise.catch(() => undefined); // waiters attach their own handlers; nobody may be left
    const flight = { promise, controller };
    this._inflight.set(key, flight);
    return flight;
  }

  private _wait<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal === undefined) return promise;
    if (signal.aborted) return Promise.reject(abortedError(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(abortedError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /** Looks through the in-process tiers (skipping the first when get() already tried it), promoting popular entries. */
  private _lookupLocal(key: string, skipFirst: boolean): Entry | undefined {
    const tiers = this._tiers;
    for (let i = skipFirst ? 1 : 0; i < tiers.length; i++) {
      const e = tiers[i]!.cache.get(key);
      if (e === undefined) continue;
      if (i > 0) {
        const h = hashKey(key, this._seed);
        this._sketch.increment(h);
        if (this._sketch.frequency(h) >= this._promoteThreshold) this._promote(i, key, e);
      }
      return e;
    }
    return undefined;
  }

  private _promote(index: number, key: string, e: Entry): void {
    const up = this._tiers[index - 1]!;
    const left = e.e === 0 ? 0 : e.e - this._clock();
    if (e.e !== 0 && left <= 0) return;
    this._tiers[index]!.cache.delete(key);
    up.promotions++;
    up.cache.set(key, e, { ttl: left });
  }

  private _demote(level: Level, key: string, e: Entry): void {
    const index = this._tiers.findIndex((t) => t.level === level);
    const left = e.e === 0 ? 0 : e.e - this._clock();
    if (e.e !== 0 && left <= 0) return;
    const down = this._tiers[index + 1];
    if (down !== undefined) {
      down.demotions++;
      down.cache.set(key, e, { ttl: left });
    } else if (!this._writeThrough && !e.n && this._stores.length > 0 && !this._closed) {
      this._track(this._stores[0]!.set(key, e.v, left));
    }
  }

  private async _lookupStores(key: string, signal?: AbortSignal): Promise<unknown> {
    for (let i = 0; i < this._stores.length; i++) {
      const r = await this._stores[i]!.get(key, signal);
      if (r === undefined) continue;
      const left = r.expires === 0 ? undefined : r.expires - this._clock();
      if (left !== undefined && left <= 0) continue;
      this._setLocal(key, r.value, undefined, left, 0, false);
      for (let j = 0; j < i; j++) this._track(this._stores[j]!.set(key, r.value, left ?? 0));
      return r.value;
    }
    return undefined;
  }

  private _setLocal(
    key: string,
    value: unknown,
    level: Level | undefined,
    ttl: number | undefined,
    swr: number,
    negative: boolean,
  ): Entry | undefined {
    if (this._tiers.length === 0) return undefined;
    const wanted =
      level ??
      (negative
        ? this._defaultLevel
        : selectLevel(this._rules, key, value, this._defaultLevel, this._sizeOf));
    let target = this._byLevel[wanted];
    if (target === undefined) {
      const order =
        wanted === 'hot'
          ? LEVELS
          : wanted === 'warm'
            ? (['warm', 'cold', 'hot'] as const)
            : (['cold', 'warm', 'hot'] as const);
      for (const l of order) if ((target = this._byLevel[l]) !== undefined) break;
    }
    const t = target!;
    const now = this._clock();
    const life = ttl ?? t.ttl;
    const entry = new Entry(
      value,
      life > 0 ? now + life + swr : 0,
      swr > 0 && life > 0 ? now + life : 0,
      negative,
    );
    for (const other of this._tiers) if (other !== t) other.cache.delete(key);
    t.sets++;
    t.cache.set(key, entry, { ttl: life > 0 ? life + swr : 0 });
    return entry;
  }

  private _track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined);
    this._background.add(q);
    void q.finally(() => this._background.delete(q));
  }

  private _checkOpen(): void {
    if (this._closed) throw new CacheError('CLOSED', 'this TieredCache was closed; create a new one.');
  }

  stats(): TieredCacheStats {
    const tiers = this._tiers.map((t): TierStats => {
      const s = t.cache.stats();
      return {
        tier: t.level,
        hits: s.hits,
        misses: s.misses,
        hitRatio: s.hits + s.misses === 0 ? 0 : s.hits / (s.hits + s.misses),
        sets: t.sets,
        deletes: t.deletes,
        entries: s.entries,
        bytes: s.bytes,
        maxEntries: t.cache.max,
        maxBytes: t.cache.maxBytes,
        evictions: s.evictions,
        promotions: t.promotions,
        demotions: t.demotions,
        errors: t.errors,
      };
    });
    const total = this._hits + this._misses;
    return {
      tiers,
      stores: this._stores.map((s) => s.stats()),
      hits: this._hits,
      misses: this._misses,
      hitRatio: total === 0 ? 0 : this._hits / total,
      loader: { ...this._loader },
    };
  }

  /** Every key currently in an in-process tier with its value and remaining TTL (ms, 0 = none). */
  localEntries(): Array<{ key: string; value: V; ttl: number; level: Level }> {
    const out: Array<{ key: string; value: V; ttl: number; level: Level }> = [];
    for (const t of this._tiers) {
      for (const [key, e, ttl] of t.cache.entries())
        if (!e.n) out.push({ key, value: e.v as V, ttl, level: t.level });
    }
    return out;
  }

  /** Aborts loaders, settles pending store operations, waits for background writes, disconnects stores. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    for (const f of this._inflight.values())
      f.controller.abort(new CacheError('CLOSED', 'the cache was closed'));
    await Promise.race([Promise.all([...this._background]), new Promise((r) => setTimeout(r, 2000).unref())]);
    await Promise.all(this._stores.map((s) => s.close(this._disconnectStores)));
  }
}
