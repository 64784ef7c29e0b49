import { z } from 'zod';
import { CacheError, invalidOption } from './cacheError.js';
import {
  type EvictionPolicy,
  type PolicyContext,
  type PolicyName,
  type PolicyOption,
  normalizePolicy,
} from './evictionPolicy.js';
import { hashKey } from './keyHash.js';
import { LfuPolicy } from './lfuPolicy.js';
import { LruPolicy } from './lruPolicy.js';
import { createRng, randomSeed } from './random.js';
import { WTinyLfuPolicy } from './wTinyLfuPolicy.js';

/** Why an entry left the cache: evicted by a bound, expired, deleted, replaced by `set`, or cleared. */
export type DisposeReason = 'evict' | 'expire' | 'delete' | 'set' | 'clear';
export const DISPOSE_REASONS: readonly DisposeReason[] = ['evict', 'expire', 'delete', 'set', 'clear'];

export type Clock = () => number;

export interface MemoryCacheOptions<K, V> {
  /** Maximum number of entries (required; alias `max_size`, `maxEntries`). */
  max?: number;
  max_size?: number;
  maxEntries?: number;
  /** Maximum total size as computed by `sizeCalculation` (alias `max_bytes`). */
  maxBytes?: number;
  max_bytes?: number;
  /** Size of one entry in bytes (or any unit `maxBytes` uses); required with `maxBytes`. */
  sizeCalculation?: (value: V, key: K) => number;
  /** Default time to live in milliseconds (0 = none). */
  ttl?: number;
  /** Default time to live in SECONDS, as in the design sketch's YAML (`default_ttl: 60.0`). */
  default_ttl?: number;
  /** `lru`, `lfu`, or `w-tinylfu` (alias `lru_with_frequency`, `tinylfu`); default `w-tinylfu`. */
  policy?: PolicyOption;
  eviction_policy?: PolicyOption;
  /** Called after an entry left the cache; must not mutate this same cache. */
  dispose?: (key: K, value: V, reason: DisposeReason) => void;
  /** Milliseconds clock for TTLs; default `Date.now`. */
  clock?: Clock;
  /** Seed of the admission RNG and of the sketch hash (default: a random secret per instance). */
  seed?: number;
  /**
   * W-TinyLFU only (default false). Hits are always recorded in a read buffer and applied in
   * batches, in order, before anything depends on them. With `lossyReads`, as in Caffeine when its
   * buffer is full, a run of more than 64 hits with no write in between applies only 1 in 4 of the
   * further hits: reads get about 2x cheaper, but hit ratios drop on traces with long read bursts
   * (benchmark/RESULTS.md: P3 and P6 at 131,072 entries lose about 2 points).
   */
  lossyReads?: boolean;
}

export interface SetOptions {
  /** Time to live of this entry in ms (0 = never expires); default: the cache's ttl. */
  ttl?: number;
  /** Size of this entry (skips sizeCalculation). */
  size?: number;
}

export interface MemoryCacheStats {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  entries: number;
  bytes: number;
  evictions: Record<DisposeReason, number>;
}

const policySchema = z.enum(['lru', 'lfu', 'w-tinylfu', 'lru_with_frequency', 'tinylfu']);
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const schema = z
  .object({
    max: z.number().int().positive().optional(),
    max_size: z.number().int().positive().optional(),
    maxEntries: z.number().int().positive().optional(),
    maxBytes: z.number().positive().optional(),
    max_bytes: z.number().positive().optional(),
    sizeCalculation: fn.optional(),
    ttl: z.number().nonnegative().optional(),
    default_ttl: z.number().nonnegative().optional(),
    policy: policySchema.optional(),
    eviction_policy: policySchema.optional(),
    dispose: fn.optional(),
    clock: fn.optional(),
    seed: z.number().int().optional(),
    lossyReads: z.boolean().optional(),
  })
  .refine((o) => (o.max ?? o.max_size ?? o.maxEntries) !== undefined, {
    message: 'a maximum number of entries is required (max, max_size or maxEntries)',
    path: ['max'],
  })
  .refine((o) => (o.maxBytes ?? o.max_bytes) === undefined || o.sizeCalculation !== undefined, {
    message: 'maxBytes needs a sizeCalculation(value, key) function',
    path: ['sizeCalculation'],
  });

/** Creates the policy object for a name (shared by MemoryCache and the trace simulator). */
export function createPolicy(name: PolicyName, ctx: PolicyContext): EvictionPolicy {
  if (name === 'lru') return new LruPolicy(ctx);
  if (name === 'lfu') return new LfuPolicy(ctx);
  return new WTinyLfuPolicy(ctx);
}

/**
 * A bounded in-process cache with a pluggable eviction policy (LRU, LFU, W-TinyLFU), bounds by entry
 * count and by bytes, per-entry and default TTL against an injected clock, and dispose callbacks
 * with a reason. Entries live in parallel arrays indexed by slot; the policy orders slots in typed
 * arrays, so a hit allocates nothing.
 */
export class MemoryCache<K, V> {
  readonly policyName: PolicyName;
  private readonly _map = new Map<K, number>();
  private _keys: (K | undefined)[];
  private _values: (V | undefined)[];
  private _free: Int32Array;
  private _freeTop = 0;
  private _used = 0;
  private _capacity: number;
  private _maximum: number;
  private _expires: Float64Array | null = null;
  private _sizes: Float64Array | null = null;
  private _bytes = 0;
  private readonly _maxBytes: number;
  private readonly _sizeCalculation: ((value: V, key: K) => number) | undefined;
  private readonly _ttl: number;
  private readonly _clock: Clock;
  private readonly _dispose: ((key: K, value: V, reason: DisposeReason) => void) | undefined;
  private readonly _policy: EvictionPolicy;
  /** The policy again when it is LRU: a monomorphic call on the hit path (V8 inlines it). */
  private readonly _lru: LruPolicy | null;
  private readonly _tiny: WTinyLfuPolicy | null;
  private readonly _needsHash: boolean;
  private readonly _seed: number;
  // statistics (plain fields: the hot path only increments)
  private _hits = 0;
  private _misses = 0;
  private _sets = 0;
  private _deletes = 0;
  private readonly _evictions: Record<DisposeReason, number> = {
    evict: 0,
    expire: 0,
    delete: 0,
    set: 0,
    clear: 0,
  };

  constructor(options: MemoryCacheOptions<K, V>) {
    const parsed = schema.safeParse(options);
    if (!parsed.success) throw invalidOption('MemoryCache', parsed.error.issues);
    const o = parsed.data;
    this._maximum = (o.max ?? o.max_size ?? o.maxEntries)!;
    this._maxBytes = o.maxBytes ?? o.max_bytes ?? Number.POSITIVE_INFINITY;
    this._sizeCalculation = options.sizeCalculation;
    this._ttl = o.ttl ?? (o.default_ttl !== undefined ? o.default_ttl * 1000 : 0);
    this._clock = options.clock ?? Date.now;
    this._dispose = options.dispose;
    this._seed = o.seed ?? randomSeed();
    this.policyName = normalizePolicy(o.policy ?? o.eviction_policy ?? 'w-tinylfu');
    this._capacity = this._maximum + 1;
    this._keys = new Array<K | undefined>(this._capacity);
    this._values = new Array<V | undefined>(this._capacity);
    this._free = new Int32Array(this._capacity);
    if (this._sizeCalculation) this._sizes = new Float64Array(this._capacity);
    if (this._ttl > 0) this._expires = new Float64Array(this._capacity);
    const rng = createRng(this._seed ^ 0x5bd1e995);
    this._policy = createPolicy(this.policyName, {
      capacity: this._capacity,
      maximum: this._maximum,
      evict: (slot) => this._evicted(slot),
      random: rng,
      seed: this._seed,
      lossyReads: o.lossyReads,
    });
    this._needsHash = this._policy.needsHash;
    this._lru = this._policy instanceof LruPolicy ? this._policy : null;
    this._tiny = this._policy instanceof WTinyLfuPolicy ? this._policy : null;
  }

  /** The policy object (the simulator and TieredCache read its sketch). */
  get policy(): EvictionPolicy {
    return this._policy;
  }

  get size(): number {
    return this._map.size;
  }

  get bytes(): number {
    return this._bytes;
  }

  get max(): number {
    return this._maximum;
  }

  get maxBytes(): number {
    return this._maxBytes;
  }

  /** The value for key (counting a hit and refreshing its position), or undefined. */
  get(key: K): V | undefined {
    const slot = this._map.get(key);
    if (slot === undefined) {
      this._misses++;
      return undefined;
    }
    if (this._expires !== null) {
      const e = this._expires[slot]!;
      if (e !== 0 && e <= this._clock()) {
        this._remove(slot, 'expire');
        this._misses++;
        return undefined;
      }
    }
    this._hits++;
    if (this._lru !== null) this._lru.onHit(slot);
    else if (this._tiny !== null) this._tiny.onHit(slot);
    else this._policy.onHit(slot);
    return this._values[slot];
  }

  /** The value without touching statistics or recency; undefined when absent or expired. */
  peek(key: K): V | undefined {
    const slot = this._map.get(key);
    if (slot === undefined || this._isExpired(slot)) return undefined;
    return this._values[slot];
  }

  has(key: K): boolean {
    const slot = this._map.get(key);
    return slot !== undefined && !this._isExpired(slot);
  }

  /** Milliseconds left before the entry expires (Infinity without TTL, 0 when absent). */
  remainingTtl(key: K): number {
    const slot = this._map.get(key);
    if (slot === undefined) return 0;
    const e = this._expires === null ? 0 : this._expires[slot]!;
    if (e === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, e - this._clock());
  }

  /** Stores the value; returns false when a single entry is larger than maxBytes (not stored). */
  set(key: K, value: V, options?: SetOptions): boolean {
    this._sets++;
    let size = 0;
    if (this._sizes !== null) {
      size = options?.size ?? this._sizeCalculation!(value, key);
      if (!(size >= 0)) {
        throw new CacheError(
          'INVALID_OPTION',
          `sizeCalculation returned ${size}; it must return a number >= 0.`,
        );
      }
      if (size > this._maxBytes) {
        this.delete(key);
        return false;
      }
    }
    const ttl = options?.ttl ?? this._ttl;
    let slot = this._map.get(key);
    if (slot !== undefined) {
      const old = this._values[slot] as V;
      this._values[slot] = value;
      if (this._sizes !== null) {
        this._bytes += size - this._sizes[slot]!;
        this._sizes[slot] = size;
      }
      this._setExpiry(slot, ttl);
      this._policy.onHit(slot);
      if (old !== value) {
        this._evictions.set++;
        this._dispose?.(key, old, 'set');
      }
    } else {
      slot = this._freeTop > 0 ? this._free[--this._freeTop]! : this._used++;
      this._keys[slot] = key;
      this._values[slot] = value;
      this._map.set(key, slot);
      if (this._sizes !== null) {
        this._sizes[slot] = size;
        this._bytes += size;
      }
      this._setExpiry(slot, ttl);
      if (this._tiny !== null) this._tiny.onInsert(slot, hashKey(key, this._seed));
      else if (this._lru !== null) this._lru.onInsert(slot, 0);
      else this._policy.onInsert(slot, this._needsHash ? hashKey(key, this._seed) : 0);
    }
    if (this._bytes > this._maxBytes) {
      while (this._bytes > this._maxBytes && this._policy.evictOne());
    }
    return true;
  }

  delete(key: K): boolean {
    const slot = this._map.get(key);
    if (slot === undefined) return false;
    this._deletes++;
    const expired = this._isExpired(slot);
    this._remove(slot, expired ? 'expire' : 'delete');
    return !expired;
  }

  /** Removes every entry (dispose reason `clear`). */
  clear(): void {
    const dispose = this._dispose;
    const entries: Array<[K, V]> = [];
    if (dispose) for (const [key, slot] of this._map) entries.push([key, this._values[slot] as V]);
    this._evictions.clear += this._map.size;
    this._map.clear();
    this._keys.fill(undefined);
    this._values.fill(undefined);
    this._policy.clear();
    this._freeTop = 0;
    this._used = 0;
    this._bytes = 0;
    if (dispose) for (const [key, value] of entries) dispose(key, value, 'clear');
  }

  /** Removes expired entries now (they are otherwise removed lazily when read or evicted). */
  purgeStale(): number {
    if (this._expires === null) return 0;
    const now = this._clock();
    let n = 0;
    for (const slot of [...this._map.values()]) {
      const e = this._expires[slot]!;
      if (e !== 0 && e <= now) {
        this._remove(slot, 'expire');
        n++;
      }
    }
    return n;
  }

  /** Changes the entry bound at run time (for the optimizer); evicts when shrinking. */
  resize(max: number): void {
    if (!Number.isInteger(max) || max <= 0) {
      throw new CacheError('INVALID_OPTION', `resize(${max}): the maximum must be a positive integer.`);
    }
    if (max + 1 > this._capacity) {
      const capacity = max + 1;
      this._keys.length = capacity;
      this._values.length = capacity;
      const free = new Int32Array(capacity);
      free.set(this._free.subarray(0, this._freeTop));
      this._free = free;
      if (this._sizes) {
        const s = new Float64Array(capacity);
        s.set(this._sizes);
        this._sizes = s;
      }
      if (this._expires) {
        const e = new Float64Array(capacity);
        e.set(this._expires);
        this._expires = e;
      }
      this._policy.grow(capacity);
      this._capacity = capacity;
    }
    this._maximum = max;
    this._policy.setMaximum(max);
  }

  /** Keys from the most likely to stay to the next victim. */
  keys(): K[] {
    return this._policy
      .order()
      .filter((s) => !this._isExpired(s))
      .map((s) => this._keys[s] as K);
  }

  /** [key, value, remaining ttl ms or 0 for none] from the most likely to stay to the next victim. */
  entries(): Array<[K, V, number]> {
    const now = this._clock();
    return this._policy
      .order()
      .filter((s) => !this._isExpired(s))
      .map((s) => {
        const e = this._expires === null ? 0 : this._expires[s]!;
        return [this._keys[s] as K, this._values[s] as V, e === 0 ? 0 : e - now];
      });
  }

  /** Popularity estimate of a resident key: sketch estimate (W-TinyLFU), count (LFU); undefined otherwise. */
  frequency(key: K): number | undefined {
    const slot = this._map.get(key);
    if (slot === undefined) return undefined;
    const p = this._policy as { frequency?: (slot: number) => number };
    return p.frequency?.(slot);
  }

  stats(): MemoryCacheStats {
    return {
      hits: this._hits,
      misses: this._misses,
      sets: this._sets,
      deletes: this._deletes,
      entries: this._map.size,
      bytes: this._bytes,
      evictions: { ...this._evictions },
    };
  }

  resetStats(): void {
    this._hits = 0;
    this._misses = 0;
    this._sets = 0;
    this._deletes = 0;
    for (const r of Object.keys(this._evictions) as DisposeReason[]) this._evictions[r] = 0;
  }

  private _isExpired(slot: number): boolean {
    if (this._expires === null) return false;
    const e = this._expires[slot]!;
    return e !== 0 && e <= this._clock();
  }

  private _setExpiry(slot: number, ttl: number): void {
    if (ttl > 0) {
      if (this._expires === null) this._expires = new Float64Array(this._capacity);
      this._expires[slot] = this._clock() + ttl;
    } else if (this._expires !== null) {
      this._expires[slot] = 0;
    }
  }

  /** Explicit removal: unlink from the policy, then release. */
  private _remove(slot: number, reason: DisposeReason): void {
    this._policy.onRemove(slot);
    this._release(slot, reason);
  }

  /** Callback from the policy: the slot is already unlinked. */
  private _evicted(slot: number): void {
    this._release(slot, this._isExpired(slot) ? 'expire' : 'evict');
  }

  private _release(slot: number, reason: DisposeReason): void {
    const key = this._keys[slot] as K;
    const value = this._values[slot] as V;
    this._map.delete(key);
    this._keys[slot] = undefined;
    this._values[slot] = undefined;
    if (this._sizes !== null) this._bytes -= this._sizes[slot]!;
    this._free[this._freeTop++] = slot;
    this._evictions[reason]++;
    this._dispose?.(key, value, reason);
  }
}
